import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ensureServices } from '../scripts/services';

const ROOT = path.resolve(__dirname, '..');
const BUILT_ENTRY = path.join(ROOT, 'dist/apps/ingest/src/main.js');
const CONSOLE_SOURCES = path.join(ROOT, 'apps', 'console');
const BUILT_CONSOLE = path.join(ROOT, 'dist/console/index.html');
const SKIPPED = [path.join(ROOT, 'libs', 'testing'), CONSOLE_SOURCES];

/**
 * Newest mtime of the sources that `tsc` compiles (not specs, not libs/testing, not the
 * console, which Vite builds).
 */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.includes(file)) newest = Math.max(newest, newestSource(file));
    } else if (entry.name.endsWith('.ts') && !/\.(e2e-)?spec\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(file).mtimeMs);
    }
  }
  return newest;
}

/** Newest mtime of every file under apps/console (sources, styles, index.html, vite config). */
function newestConsoleSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestConsoleSource(file));
    else if (!/\.(e2e-)?spec\.tsx?$/.test(entry.name))
      newest = Math.max(newest, statSync(file).mtimeMs);
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

/**
 * The console suites load dist/console from the query app: rebuilt with Vite when missing
 * or older than any file under apps/console (also after `npm run build` emptied dist/).
 */
function buildConsoleWhenStale(): void {
  if (!existsSync(CONSOLE_SOURCES)) return;
  const built = existsSync(BUILT_CONSOLE) ? statSync(BUILT_CONSOLE).mtimeMs : 0;
  if (built >= newestConsoleSource(CONSOLE_SOURCES)) return;
  process.stdout.write('[build] vite build -c apps/console/vite.config.ts\n');
  const result = spawnSync('npx', ['vite', 'build', '-c', 'apps/console/vite.config.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Only the console suites need it: they fail on their own, naming the missing build, while
  // every other suite still runs.
  if (result.status !== 0)
    process.stdout.write('[build] vite build of the console failed; console suites will fail\n');
}

/**
 * Provisions real OpenSearch (one node, or a local cluster of `nodes`) and Redis once per
 * run; workers inherit the URLs. Answers what it started.
 */
export async function provisionForTests(nodes = 1): Promise<string[]> {
  const endpoints = await ensureServices({
    log: (line) => process.stdout.write(`[services] ${line}\n`),
    nodes,
  });
  process.env.OPENSEARCH_URL = endpoints.opensearchUrl;
  process.env.OPENSEARCH_INDEX_REPLICAS = String(endpoints.indexReplicas);
  process.env.REDIS_URL = endpoints.redisUrl;
  process.env.AUDITLOG_ISM_AVAILABLE = String(endpoints.ismAvailable);
  buildWhenStale();
  buildConsoleWhenStale();
  return endpoints.started;
}

export default async function globalSetup(): Promise<void> {
  await provisionForTests();
}
