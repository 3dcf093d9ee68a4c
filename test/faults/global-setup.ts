import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import servicesSetup from '../global-setup';

const ENTRY = 'dist/apps/ingest/src/main.js';

/** Newest mtime of the sources that `npm run build` compiles (not specs, not libs/testing). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (file !== join('libs', 'testing')) newest = Math.max(newest, newestSource(file));
    } else if (entry.name.endsWith('.ts') && !/\.(e2e-)?spec\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(file).mtimeMs);
    }
  }
  return newest;
}

/**
 * Provisions the shared services like the e2e setup, and builds the apps when dist/ is
 * missing or older than the sources: these tests run and kill the real built processes.
 */
export default async function globalSetup(): Promise<void> {
  await servicesSetup();
  const built = existsSync(ENTRY) ? statSync(ENTRY).mtimeMs : 0;
  if (built >= Math.max(newestSource('apps'), newestSource('libs'))) return;
  process.stdout.write('[faults] building the apps (npm run build)\n');
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}
