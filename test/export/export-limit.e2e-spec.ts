import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AppProcess,
  cycle,
  itemAt,
  dropPrefix,
  ownerToken,
  startProcess,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { Redis } from 'ioredis';
import type { MaintenanceResult } from '../../apps/maintenance/src/exports/export-maintenance.job';
import {
  dropMaintenanceQueue,
  MaintenanceJob,
  runJob,
  startMaintenance,
} from '../maintenance/support';
import { dropExportQueue, ensureBuild } from './support';

const PROBLEM = 'https://auditlog.dev/problems/';

/**
 * The per-company limit on queued + running export jobs holds across export API replicas
 * under simultaneous requests: with the default limit of 2, exactly 2 of 20 simultaneous
 * POSTs spread over two real export processes are accepted, and the slots come back once
 * the jobs have ended.
 */
describe('per-company export job limit across two export API replicas', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-export-limit-'));
  const setup = testEnvironment('export-limit', undefined, {
    EXPORT_DIR: exportDir,
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
  });
  const acme = ownerToken(setup.jwtSecret, 'acme');
  const globex = ownerToken(setup.jwtSecret, 'globex');
  const replicas: AppProcess[] = [];
  let worker: AppProcess | undefined;

  const body = () => ({
    name: 'limit',
    format: 'ndjson',
    filters: {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date().toISOString(),
    },
  });
  /** Every 503 answered (storage or queue unavailable); each must carry Retry-After. */
  const unavailable: Array<string | null> = [];
  /**
   * One POST as a client makes it: a 503 is retried after its Retry-After (capped at 250 ms
   * to keep the test short). A count that reaches today's events index while OpenSearch is
   * still starting its primary (the index is created by the first write of this fresh
   * prefix, here the acme jobs' own audit events) is answered 503 "all shards failed" with
   * Retry-After; no slot is held by a refused request, so the limit stays exact.
   */
  const post = async (replica: AppProcess, token: string): Promise<Response> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`${replica.url}/v1/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body()),
      });
      if (response.status !== 503 || Date.now() > deadline) return response;
      const retryAfter = response.headers.get('retry-after');
      unavailable.push(retryAfter);
      await response.arrayBuffer();
      await new Promise((done) => setTimeout(done, Math.min(Number(retryAfter) * 1_000, 250)));
    }
  };
  const status = async (id: string) => {
    const response = await fetch(`${itemAt(replicas, 0, 'export replica').url}/v1/exports/${id}`, {
      headers: { authorization: `Bearer ${acme}` },
    });
    return ((await response.json()) as { status: string }).status;
  };

  beforeAll(async () => {
    await ensureBuild();
    // Both replicas start at once, as two pods of a Deployment do.
    replicas.push(...(await Promise.all([0, 1].map(() => startProcess('export', setup.env)))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...replicas, worker].map(async (process) => process?.stop()));
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    await dropMaintenanceQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    const client = testClient();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  });

  it('accepts exactly 2 of 20 simultaneous POSTs and answers the rest 429 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const response = await post(cycle(replicas, index, 'export replica'), acme);
        return {
          status: response.status,
          type: response.headers.get('content-type'),
          retryAfter: response.headers.get('retry-after'),
          body: (await response.json()) as { id?: string; type?: string; status?: number },
        };
      }),
    );
    // Anything but 202 or 429 is shown whole.
    expect(answers.filter(({ status }) => status !== 202 && status !== 429)).toEqual([]);
    const accepted = answers.filter(({ status }) => status === 202).map(({ body }) => body.id);
    const refused = answers.filter(({ status }) => status === 429);
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(18);
    for (const answer of refused) {
      expect(answer.type).toContain('application/problem+json');
      expect(answer.retryAfter).toBe('30');
      expect(answer.body).toMatchObject({ type: `${PROBLEM}too-many-exports`, status: 429 });
    }
    // The history holds exactly the two accepted jobs, both still queued (no worker yet).
    const list = await fetch(`${itemAt(replicas, 1, 'export replica').url}/v1/exports`, {
      headers: { authorization: `Bearer ${acme}` },
    });
    const history = ((await list.json()) as { data: Array<{ id: string; status: string }> }).data;
    expect(history.map((entry) => entry.id).sort()).toEqual([...accepted].sort());
    expect(history.map((entry) => entry.status)).toEqual(['queued', 'queued']);

    // Another company is not held back by acme's jobs.
    const other = await post(itemAt(replicas, 0, 'export replica'), globex);
    expect(`${other.status} ${await other.text()}`).toMatch(/^202 /);

    // Once the jobs have ended, the company gets its slots back.
    worker = await startProcess('export-worker', setup.env);
    await waitFor(
      async () =>
        (await Promise.all(accepted.map((id) => status(id as string)))).every(
          (state) => state === 'completed',
        ),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // The worker gives a slot back right after the record turns completed.
    let last = '';
    await waitFor(
      async () => {
        const response = await post(itemAt(replicas, 1, 'export replica'), acme);
        last = `${response.status} ${await response.text()}`;
        return response.status === 202;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    ).catch(() => undefined);
    expect(last).toMatch(/^202 /);
    // Refusals a client can act on only: every 503 said when to retry.
    expect(unavailable.filter((retryAfter) => !/^[1-9]\d*$/.test(retryAfter ?? ''))).toEqual([]);
  }, 120_000);

  it('gives back, in the maintenance job, slots a crashed process kept', async () => {
    // Two slots of initech whose holders died: one for an export that ended without giving
    // it back, one for a request that never created its record. Both taken two minutes ago.
    const redis = new Redis(setup.env.REDIS_URL as string);
    const key = `${setup.indexPrefix}:export-slots:initech`;
    const initech = ownerToken(setup.jwtSecret, 'initech');
    try {
      const taken = Date.now() - 120_000;
      await redis.zadd(key, taken, 'exp_gone', taken, 'exp_never_created');
      const refused = await post(itemAt(replicas, 0, 'export replica'), initech);
      expect(refused.status).toBe(429);

      const maintenance = await startMaintenance({
        ...setup.env,
        INTEGRITY_JOB_INTERVAL_SECONDS: '0',
        RETENTION_SWEEP_INTERVAL_SECONDS: '0',
      });
      let result: MaintenanceResult;
      try {
        result = await runJob<MaintenanceResult>(maintenance, MaintenanceJob.maintainExports);
      } finally {
        await maintenance.close();
      }
      expect([...result.released].sort()).toEqual(['exp_gone', 'exp_never_created']);
      expect(await redis.zcard(key)).toBe(0);
      const accepted = await post(itemAt(replicas, 1, 'export replica'), initech);
      expect(accepted.status).toBe(202);
    } finally {
      redis.disconnect();
    }
  });
});
