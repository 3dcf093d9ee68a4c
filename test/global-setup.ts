import { ensureServices } from '../scripts/services';

/** Provisions real OpenSearch and Redis once per run; workers inherit the URLs. */
export default async function globalSetup(): Promise<void> {
  const endpoints = await ensureServices({
    log: (line) => process.stdout.write(`[services] ${line}\n`),
  });
  process.env.OPENSEARCH_URL = endpoints.opensearchUrl;
  process.env.REDIS_URL = endpoints.redisUrl;
  process.env.AUDITLOG_ISM_AVAILABLE = String(endpoints.ismAvailable);
}
