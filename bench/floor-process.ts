import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface FloorProcess {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a benchmark's bare `node:http` floor server (a script that prints `floor ready`
 * once it listens) as its own process, as the app it is compared with runs, and waits
 * until it listens.
 */
export async function startFloorProcess(
  script: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<FloorProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: resolve(__dirname, '..'),
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`the floor server exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('floor ready')) ready();
    });
  });
  return {
    pid: child.pid ?? 0,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
