import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ensureServices } from '../scripts/services';

const ROOT = path.resolve(__dirname, '..');
const BUILT_ENTRY = path.join(ROOT, 'dist/apps/ingest/src/main.js');

/** Newest mtime of the sources that `npm run build` compiles (not specs, not libs/testing). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (file !== path.join(ROOT, 'libs', 'testing'))
        newest = Math.max(newest, newestSource(file));
    } else if (entry.name.endsWith('.ts') && !/\.(e2e-)?spec\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(file).mtimeMs);
    }
  }
  return newest;
}

/** Suites that run the production build as child processes find it up to date in dist/. */
function buildWhenStale(): void {
  const built = existsSync(BUILT_ENTRY) ? statSync(BUILT_ENTRY).mtimeMs : 0;
  const sources = ['apps', 'libs', 'scripts'].map((dir) => newestSource(path.join(ROOT, dir)));
  if (built >= Math.max(...sources)) return;
  process.stdout.write('[build] npm run build\n');
  const result = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/** Provisions real OpenSearch and Redis once per run; workers inherit the URLs. */
export default async function globalSetup(): Promise<void> {
  const endpoints = await ensureServices({
    log: (line) => process.stdout.write(`[services] ${line}\n`),
  });
  process.env.OPENSEARCH_URL = endpoints.opensearchUrl;
  process.env.REDIS_URL = endpoints.redisUrl;
  process.env.AUDITLOG_ISM_AVAILABLE = String(endpoints.ismAvailable);
  buildWhenStale();
}
