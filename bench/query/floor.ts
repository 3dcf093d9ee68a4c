import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { QueryParams } from '@auditlog/events';

export interface Floor {
  pid: number;
  /** One page from the floor server; resolves once the body is read and parsed. */
  get(params: QueryParams, after?: Array<string | number>): Promise<{ data: unknown[] }>;
  stop(): Promise<void>;
}

/** Starts floor-server.ts as its own process (as the query app is) and waits until it listens. */
export async function startFloor(
  prefix: string,
  port: number,
  openSearchUrl: string,
): Promise<Floor> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(__dirname, 'floor-server.ts')],
    {
      cwd: resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        PREFIX: prefix,
        OPENSEARCH_URL: openSearchUrl,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`the floor server exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('floor ready')) ready();
    });
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    pid: child.pid ?? 0,
    async get(params, after) {
      const url = new URL(`http://127.0.0.1:${port}/`);
      url.searchParams.set('params', JSON.stringify(params));
      if (after) url.searchParams.set('after', JSON.stringify(after));
      const response = await fetch(url);
      if (!response.ok)
        throw new Error(`floor answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { data: unknown[] };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
