import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Env } from '@auditlog/config';

/** Every process the appliance runs, as production starts it from the build (dist/). */
export type ProcessKind = 'ingest' | 'query' | 'export' | 'export-worker' | 'maintenance';

const ENTRY: Record<ProcessKind, string> = {
  ingest: 'dist/apps/ingest/src/main.js',
  query: 'dist/apps/query/src/main.js',
  export: 'dist/apps/export/src/main.js',
  'export-worker': 'dist/apps/export/src/worker/main.js',
  maintenance: 'dist/apps/maintenance/src/main.js',
};

/**
 * Node options production gives a kind (deploy/docker/entrypoint.sh, `npm start`): the export
 * worker's bounded heap (ADR 0151). A caller's nodeArgs come later and win.
 */
export const NODE_ARGS: Partial<Record<ProcessKind, readonly string[]>> = {
  'export-worker': ['--max-old-space-size=256'],
};

/** Workers have no API: they are ready once they log this line. */
const READY_LINE: Partial<Record<ProcessKind, string>> = {
  'export-worker': 'export worker ready',
  maintenance: 'maintenance worker ready',
};

/** The most output kept in memory per process (the tail is kept). */
const MAX_OUTPUT = 8 * 1024 * 1024;

export interface AppProcess {
  kind: ProcessKind;
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` of an HTTP kind; empty for the workers. */
  url: string;
  /** The HTTP port (0 for the workers). */
  port: number;
  /** stdout and stderr so far (the last MAX_OUTPUT bytes). */
  output(): string;
  /** The JSON log lines so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Like kill, and answers how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface AppProcessOptions {
  /** HTTP kinds: defaults to a free ephemeral port. */
  port?: number;
  /** Append stdout and stderr to this file as well. */
  logFile?: string;
  /** Also copy the output to this process's stdout/stderr (default: HTTP kinds without logFile). */
  echo?: boolean;
  /** HTTP kinds: `/health/live` (default) or `/health/ready`. */
  waitFor?: '/health/live' | '/health/ready';
  startTimeoutMs?: number;
  /** Options for node itself, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Working directory (default: the repository root). */
  cwd?: string;
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

const ROOT = resolve(__dirname, '../../..');

/**
 * Runs one of the appliance's processes from the build as production does (HTTP kinds on
 * loopback) and waits until it is ready: HTTP kinds answer their health endpoint, workers
 * log their ready line. The one harness for tests and benches.
 */
export async function startProcess(
  kind: ProcessKind,
  env: Env,
  options: AppProcessOptions = {},
): Promise<AppProcess> {
  const http = READY_LINE[kind] === undefined;
  const port = http ? (options.port ?? (await freePort())) : 0;
  const cwd = options.cwd ?? ROOT;
  const nodeArgs = [...(NODE_ARGS[kind] ?? []), ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, resolve(cwd, ENTRY[kind])], {
    cwd,
    env: {
      PATH: process.env.PATH,
      ...env,
      // Workers announce readiness in an info line; HTTP kinds listen where we say.
      ...(http ? { PORT: String(port), HOST: '127.0.0.1' } : { LOG_LEVEL: 'info' }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const echo = options.echo ?? (http && !options.logFile);
  let output = '';
  const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
    if (options.logFile) appendFileSync(options.logFile, chunk);
    if (echo) stream.write(chunk);
  };
  child.stdout?.on('data', collect(process.stdout));
  child.stderr?.on('data', collect(process.stderr));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const started: AppProcess = {
    kind,
    child,
    url: http ? `http://127.0.0.1:${port}` : '',
    port,
    output: () => output,
    logs: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    kill: async (signal) => {
      await stop(signal);
    },
    stop,
  };
  const timeoutMs = options.startTimeoutMs ?? (http ? 60_000 : 90_000);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${kind} exited with ${child.exitCode} before it was ready: ${output}`);
    const ready = http
      ? await fetch(`${started.url}${options.waitFor ?? '/health/live'}`).then(
          (response) => response.ok,
          () => false,
        )
      : output.includes(READY_LINE[kind] ?? '');
    if (ready) return started;
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`${kind} was not ready within ${timeoutMs} ms: ${output.slice(-2000)}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** Stops a process started by startProcess, if any and still running. */
export async function stopProcess(
  started: AppProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  await started?.kill(signal);
}
