import { resolve } from 'node:path';
import type { QueryParams } from '@auditlog/events';
import { startFloorProcess } from '../floor-process';

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
  const floor = await startFloorProcess(resolve(__dirname, 'floor-server.ts'), {
    PORT: String(port),
    PREFIX: prefix,
    OPENSEARCH_URL: openSearchUrl,
  });
  return {
    pid: floor.pid,
    async get(params, after) {
      const url = new URL(`http://127.0.0.1:${port}/`);
      url.searchParams.set('params', JSON.stringify(params));
      if (after) url.searchParams.set('after', JSON.stringify(after));
      const response = await fetch(url);
      if (!response.ok)
        throw new Error(`floor answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { data: unknown[] };
    },
    stop: () => floor.stop(),
  };
}
