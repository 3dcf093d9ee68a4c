import * as os from 'node:os';
import * as path from 'node:path';
import { ensureServices } from '../../../scripts/services';
import { startOpenSearch, stopOpenSearch } from '../../../scripts/services/opensearch';
import {
  OPENSEARCH_PROCESS_MARKER,
  readOpenSearchState,
} from '../../../scripts/services/opensearch-state';
import { servicePaths } from '../../../scripts/services/paths';
import { sendSignal, waitForProcessExit } from '../../../scripts/services/processes';

const quiet = { log: () => undefined };
const SAVED = [
  'OPENSEARCH_URL',
  'AUDITLOG_SERVICES_DIR',
  'AUDITLOG_OPENSEARCH_PORT',
  'AUDITLOG_OPENSEARCH_HEAP',
] as const;

export interface OwnOpenSearch {
  url: string;
  /** SIGKILLs the JVM (no shutdown, no flush) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data, waits for yellow. */
  restart(): Promise<void>;
  /** Stops it and gives the environment back to the shared services. */
  release(): Promise<void>;
}

/**
 * A single OpenSearch node of this suite's own (own services dir and port, heap 512m), so
 * that killing it touches nobody else. The services scripts act on the node the
 * environment selects, so the environment points at ours until release().
 */
export async function ownOpenSearch(name: string, port: number): Promise<OwnOpenSearch> {
  const saved = Object.fromEntries(SAVED.map((key) => [key, process.env[key]]));
  delete process.env.OPENSEARCH_URL;
  process.env.AUDITLOG_SERVICES_DIR = path.join(
    process.getuid?.() === 0 ? '/var/tmp' : os.tmpdir(),
    `auditlog-${name}`,
  );
  process.env.AUDITLOG_OPENSEARCH_PORT = String(port);
  process.env.AUDITLOG_OPENSEARCH_HEAP = '512m';
  let started = false;
  const release = async (): Promise<void> => {
    try {
      if (started) await stopOpenSearch(quiet);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };
  try {
    const { opensearchUrl } = await ensureServices(quiet);
    started = true;
    if (opensearchUrl !== `http://127.0.0.1:${port}`)
      throw new Error(`own OpenSearch came up at ${opensearchUrl}, not on port ${port}`);
    return {
      url: opensearchUrl,
      release,
      restart: async () => void (await startOpenSearch(quiet)),
      kill: async () => {
        const pid = readOpenSearchState(servicePaths().opensearchStateFile)?.pid;
        if (!pid) throw new Error('own OpenSearch is not running');
        sendSignal(pid, 'SIGKILL');
        if (!(await waitForProcessExit(pid, 30_000, OPENSEARCH_PROCESS_MARKER)))
          throw new Error(`OpenSearch ${pid} survived SIGKILL`);
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
