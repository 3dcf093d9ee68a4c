import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Env } from '@auditlog/config';
import { waitFor } from '@auditlog/testing';
import { failureDetails, runCommand } from '../../scripts/services/processes';

const ROOT = path.resolve(__dirname, '../..');
const BUILD_DIR = path.join(os.tmpdir(), `auditlog-export-build-${process.getuid?.() ?? 0}`);
const LOCK_DIR = `${BUILD_DIR}.lock`;
const SOURCES = ['apps', 'libs'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function stamp(): string {
  return `${ROOT}:${Math.max(...SOURCES.map((dir) => newestSource(path.join(ROOT, dir))))}`;
}

/**
 * The production build of the apps (tsc + tsc-alias, as `npm run build`), in a directory of
 * its own so that no other build or suite can remove it mid-run. Rebuilt when any source
 * is newer; suites running at once share one build through a lock directory.
 */
export async function ensureBuild(): Promise<string> {
  const wanted = stamp();
  const stampFile = path.join(BUILD_DIR, '.stamp');
  await waitFor(
    async () => {
      try {
        fs.mkdirSync(LOCK_DIR);
        return true;
      } catch {
        // A crashed holder leaves a stale lock: take it over after ten minutes.
        const age = Date.now() - fs.statSync(LOCK_DIR, { throwIfNoEntry: false })!.mtimeMs;
        if (age > 600_000) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
        return false;
      }
    },
    { timeoutMs: 600_000, intervalMs: 500 },
  );
  try {
    if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === wanted) return BUILD_DIR;
    fs.rmSync(BUILD_DIR, { recursive: true, force: true });
    const outDir = path.join(BUILD_DIR, 'dist');
    for (const [tool, args] of [
      ['tsc', ['-p', 'tsconfig.build.json', '--outDir', outDir]],
      ['tsc-alias', ['-p', 'tsconfig.build.json', '--outDir', outDir]],
    ] as const) {
      const result = await runCommand(path.join(ROOT, 'node_modules/.bin', tool), [...args], {
        cwd: ROOT,
        timeoutMs: 400_000,
      });
      if (result.code !== 0) throw new Error(`${tool} failed:\n${failureDetails(result)}`);
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(BUILD_DIR, 'node_modules'));
    fs.writeFileSync(stampFile, wanted);
    return BUILD_DIR;
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
}

/** Starts the compiled export worker and waits for "export worker ready". */
export async function startWorker(buildDir: string, env: Env): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [path.join(buildDir, 'dist/apps/export/src/worker/main.js')],
    {
      cwd: buildDir,
      env: { PATH: process.env.PATH, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${output}`);
      return output.includes('export worker ready');
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
  return { child, output: () => output };
}

export function stopWorker(worker: WorkerProcess | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  const child = worker?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
