import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Env } from '@auditlog/config';

export type ProcessAppName = 'ingest' | 'query';

export interface AppProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface AppProcessOptions {
  /** Defaults to a free ephemeral port. */
  port?: number;
  /** Append stdout and stderr here instead of inheriting them. */
  logFile?: string;
  /** `/health/live` (default) or `/health/ready`. */
  waitFor?: '/health/live' | '/health/ready';
  startTimeoutMs?: number;
  /** Options for node itself, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Runs an app from the build (`dist/apps/<name>/src/main.js`) as its own process on
 * loopback, as production does, and waits until it answers its health endpoint.
 */
export async function startAppProcess(
  name: ProcessAppName,
  env: Env,
  options: AppProcessOptions = {},
): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const output = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), resolve('dist', 'apps', name, 'src', 'main.js')],
    {
      env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', output, output],
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} before answering`);
    const answered = await fetch(`${url}${options.waitFor ?? '/health/live'}`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) return { child, url, port, kill };
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`${name} did not answer within ${options.startTimeoutMs ?? 60_000} ms`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
