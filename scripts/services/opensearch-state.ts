import { readJsonFile, writeJsonFile } from './json-files';

/** What `up` recorded about the node it runs, so later commands can reuse, restart or stop it. */
export interface OpenSearchState {
  /** Pid of the OpenSearch JVM; null while stopped. */
  pid: number | null;
  url: string;
  httpPort: number;
  transportPort: number;
  version: string;
  javaHome: string;
  javaMajor: number;
  ismAvailable: boolean;
  distributionHome: string;
  nodeDir: string;
  user: string;
  startedAt: string | null;
}

export const OPENSEARCH_PROCESS_MARKER = 'org.opensearch.bootstrap.OpenSearch';

export function readOpenSearchState(file: string): OpenSearchState | undefined {
  return readJsonFile<OpenSearchState>(file);
}

export function writeOpenSearchState(file: string, state: OpenSearchState): void {
  writeJsonFile(file, state);
}
