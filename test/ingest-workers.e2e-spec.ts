import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';
import {
  type AppProcess,
  dropPrefix,
  startProcess,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';

/** Live child pids of `parent`, from /proc. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('INGEST_WORKERS=2: two ingest processes behind one port', () => {
  const setup = testEnvironment('ingest-workers');
  let client: Client;
  let ingest: AppProcess;

  beforeAll(async () => {
    client = testClient();
    ingest = await startProcess('ingest', { ...setup.env, INGEST_WORKERS: '2' });
  }, 120_000);

  afterAll(async () => {
    await ingest?.kill('SIGKILL');
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('forks two workers that store, deduplicate, and stop with the primary', async () => {
    const primary = ingest.child.pid as number;
    const workers = await waitFor(() => {
      const pids = childrenOf(primary);
      return Promise.resolve(pids.length === 2 && pids);
    });
    const timestamp = new Date().toISOString();
    const batch = Array.from({ length: 50 }, (_, i) => ({
      id: `w-${i}`,
      timestamp,
      company_id: 'acme',
      action: 'flow.created',
      actor: { id: 'alice' },
    }));
    const post = async (): Promise<Record<string, unknown>> => {
      const response = await fetch(`${ingest.url}/v1/events/batch`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${setup.keys.any.secret}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(batch),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    expect(await post()).toMatchObject({ created: 50, duplicates: 0, rejected: 0 });
    // Whichever worker takes the retry, OpenSearch holds the one copy.
    expect(await post()).toMatchObject({ created: 0, duplicates: 50, rejected: 0 });

    const ended = await ingest.stop('SIGTERM');
    expect(ended.code).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  }, 60_000);
});
