import { provisionForTests } from '../global-setup';

export const CLUSTER_NODES = 3;

/**
 * Starts (or reuses) the local three-node cluster for this run; the teardown stops it
 * again when this run started it. Suites find its URLs in OPENSEARCH_URL.
 */
export default async function globalSetup(): Promise<void> {
  const started = await provisionForTests(CLUSTER_NODES);
  if (started.includes('opensearch')) process.env.AUDITLOG_CLUSTER_STARTED_BY_TESTS = 'true';
}
