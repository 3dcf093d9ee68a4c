import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ensureServices } from '../scripts/services';

/**
 * Provisions real OpenSearch and Redis once per run; workers inherit the URLs. Suites that
 * run the production build as child processes find it freshly built in dist/.
 */
export default async function globalSetup(): Promise<void> {
  const endpoints = await ensureServices({
    log: (line) => process.stdout.write(`[services] ${line}\n`),
  });
  process.env.OPENSEARCH_URL = endpoints.opensearchUrl;
  process.env.REDIS_URL = endpoints.redisUrl;
  process.env.AUDITLOG_ISM_AVAILABLE = String(endpoints.ismAvailable);
  process.stdout.write('[build] npm run build\n');
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
