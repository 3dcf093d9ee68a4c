import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Digest } from '@auditlog/integrity';
import { IndexNames } from '@auditlog/opensearch';
import {
  type AppProcess,
  daysAgo,
  dropPrefix,
  freePort,
  seedIndex,
  startApp,
  startProcess,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { type ExportRecord, ExportRepository } from '@auditlog/export-jobs';
import { QueryModule } from '../../apps/query/src/query.module';
import { storeReceived } from '../integrity-seed';
import { dropMaintenanceQueue, startMaintenance } from './support';

const MINUTE = 60_000;
/** Job runs the replicas must have logged before the assertions look at them. */
const MIN_JOB_RUNS = 12;

function signingKey(dir: string): string {
  const file = path.join(dir, 'k1.key.pem');
  const pair = generateKeyPairSync('ed25519');
  fs.writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

function exportRecord(id: string, expiresAt: Date): ExportRecord {
  const at = new Date(expiresAt.getTime() - 7 * 86_400_000).toISOString();
  return {
    id,
    company_id: 'acme',
    name: id,
    format: 'json',
    filters: {},
    query: {} as ExportRecord['query'],
    admin_view: false,
    created_by: 'alice',
    status: 'completed',
    progress: 100,
    rows: 1,
    bytes: 2,
    sha256: null,
    created_at: at,
    updated_at: at,
    started_at: at,
    completed_at: at,
    expires_at: expiresAt.toISOString(),
    error: null,
    attempts: 1,
    file: `${id}.json`,
    webhook_url: null,
  };
}

/** How often each value occurs. */
function counts(values: string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
  return seen;
}

describe('the maintenance worker with two replicas', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maintenance-replicas-'));
  const exportDir = path.join(dir, 'exports');
  const setup = testEnvironment('maint-replicas', undefined, {
    INTEGRITY_SIGNING_KEY: signingKey(dir),
    INTEGRITY_SIGNING_KEY_ID: 'k1',
    INTEGRITY_WINDOW: '1m',
    INTEGRITY_SETTLE_SECONDS: '0',
    RETENTION_CLASSES: '1d,7d',
    DEFAULT_RETENTION_CLASS: '7d',
    EXPORT_DIR: exportDir,
    // Every job every second: many scheduler iterations within the test, on both replicas.
    INTEGRITY_JOB_INTERVAL_SECONDS: '1',
    RETENTION_SWEEP_INTERVAL_SECONDS: '1',
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '1',
  });
  const names = new IndexNames(setup.indexPrefix);
  const now = new Date();
  const expiredIndices = [2, 3, 4].map((days) => names.eventsIndex('1d', daysAgo(now, days)));
  const keptIndex = names.eventsIndex('7d', daysAgo(now, 1));
  const expiredExports = ['exp-1', 'exp-2', 'exp-3'];
  const freshExport = 'fresh-1';
  let client: Client;
  let seeder: INestApplication;
  const workers: AppProcess[] = [];
  const ports: number[] = [];

  const logs = () => workers.flatMap((worker) => worker.logs());
  const jobRuns = () => logs().filter((line) => line.event === 'maintenance.job_done');

  /** The digests of one company, or of every company in this suite's prefix. */
  async function digestsOf(companyId?: string): Promise<Digest[]> {
    await client.indices.refresh({
      index: `${setup.indexPrefix}-digests`,
      ignore_unavailable: true,
    });
    const { body } = await client.search({
      index: `${setup.indexPrefix}-digests`,
      ignore_unavailable: true,
      body: {
        size: 1000,
        query: companyId ? { term: { company_id: companyId } } : { match_all: {} },
      },
    });
    return (body.hits.hits as Array<{ _source: Digest }>).map((hit) => hit._source);
  }

  beforeAll(async () => {
    client = testClient();
    fs.mkdirSync(exportDir, { recursive: true });
    // The export app creates the export history index and the events template.
    seeder = await startApp('export', ExportModule, {
      ...setup.env,
      EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    });
    // acme: events received in three closed one-minute windows a few minutes ago.
    const base = Math.floor((now.getTime() - 6 * MINUTE) / MINUTE) * MINUTE;
    for (const minute of [0, 1, 3]) {
      await storeReceived(seeder, 'acme', `a-${minute}`, new Date(base + minute * MINUTE + 5_000));
    }
    for (const index of [...expiredIndices, keptIndex]) await seedIndex(client, index, 'old', now);
    const exports = seeder.get(ExportRepository);
    for (const id of expiredExports) {
      await exports.create(exportRecord(id, new Date(now.getTime() - MINUTE)));
      fs.writeFileSync(path.join(exportDir, `${id}.json`), '[]');
    }
    await exports.create(exportRecord(freshExport, new Date(now.getTime() + 86_400_000)));
    fs.writeFileSync(path.join(exportDir, `${freshExport}.json`), '[]');
    await client.indices.refresh({ index: `${setup.indexPrefix}-*` });

    for (let replica = 0; replica < 2; replica++) ports.push(await freePort());
    // Both replicas start at once, as a rollout of a Deployment with two pods does.
    workers.push(
      ...(await Promise.all(
        ports.map((port) =>
          startProcess('maintenance', { ...setup.env, MAINTENANCE_HEALTH_PORT: String(port) }),
        ),
      )),
    );

    // Done: the sealed windows reach the last closed minute, the expired indices and files
    // are gone — and every job kept running on its schedule for several more iterations.
    await waitFor(
      async () => {
        const { body: remaining } = await client.indices.exists({ index: expiredIndices });
        const files = expiredExports.filter((id) =>
          fs.existsSync(path.join(exportDir, `${id}.json`)),
        );
        const windows = (await digestsOf('acme')).length;
        return !remaining && files.length === 0 && windows >= 4;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // Several more iterations, and at least the runs the first test counts on: the work
    // above can finish (on a busy machine) before the replicas have logged many runs.
    const enough = Math.max(jobRuns().length + 9, MIN_JOB_RUNS);
    await waitFor(() => Promise.resolve(jobRuns().length >= enough), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await seeder?.close();
    await dropMaintenanceQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs each scheduled job once: no job id is processed twice across the replicas', () => {
    const runs = jobRuns();
    const ids = runs.map((run) => String(run.job_id));
    expect(ids.length).toBeGreaterThanOrEqual(MIN_JOB_RUNS);
    expect([...counts(ids).entries()].filter(([, n]) => n > 1)).toEqual([]);
    // Every run came from one of the schedulers, and each scheduler produced runs (index
    // pre-creation, hourly by default, runs once when its scheduler is created).
    expect(new Set(runs.map((run) => run.scheduler))).toEqual(
      new Set([
        'integrity.seal-digests',
        'retention.sweep',
        'exports.maintain',
        'retention.ensure-indices',
      ]),
    );
  });

  it('seals each digest window exactly once, and the chain is what was sealed', async () => {
    const sealedLog = () =>
      logs()
        .filter((line) => line.event === 'integrity.digest_sealed' && line.company_id === 'acme')
        .map((line) => String(line.window_start));
    const stored = (await digestsOf('acme')).map((digest) => digest.window_start);
    expect(stored.length).toBeGreaterThanOrEqual(4);
    // Every stored digest was logged by one replica (logs may trail the index a moment)…
    const sealed = await waitFor(() => {
      const logged = sealedLog();
      return Promise.resolve(stored.every((window) => logged.includes(window)) && logged);
    });
    // …exactly once, and nothing was logged that is not stored.
    expect([...counts(sealed).entries()].filter(([, n]) => n > 1)).toEqual([]);
    const storedAfter = (await digestsOf('acme')).map((digest) => digest.window_start);
    expect(storedAfter).toEqual(expect.arrayContaining(sealed));
    // One chain: each digest links to the one before it, the first to nothing.
    const chain = (await digestsOf('acme')).sort((a, b) =>
      a.window_start.localeCompare(b.window_start),
    );
    expect(chain[0]?.previous_digest_hash).toBeNull();
    for (const [index, digest] of chain.entries()) {
      if (index > 0) expect(digest.window_start).toBe(chain[index - 1]?.window_end);
    }
  });

  it('deletes each expired index once and keeps the others', async () => {
    const deleted = logs()
      .filter((line) => line.event === 'retention.index_deleted')
      .map((line) => String(line.index));
    expect(deleted.sort()).toEqual([...expiredIndices].sort());
    expect((await client.indices.exists({ index: keptIndex })).body).toBe(true);
  });

  it('removes each expired export file once and keeps the fresh one', async () => {
    const expired = logs()
      .filter((line) => line.event === 'export.expired')
      .map((line) => String(line.export_id));
    expect(expired.sort()).toEqual([...expiredExports].sort());
    const repository = seeder.get(ExportRepository);
    for (const id of expiredExports) {
      expect((await repository.get(id))?.status).toBe('expired');
    }
    expect((await repository.get(freshExport))?.status).toBe('completed');
    expect(fs.existsSync(path.join(exportDir, `${freshExport}.json`))).toBe(true);
  });

  it('answers health on its internal port only, and metrics count the work', async () => {
    for (const port of ports) {
      const base = `http://127.0.0.1:${port}`;
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        info: { worker: { status: 'up' }, opensearch: { status: 'up' }, redis: { status: 'up' } },
      });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/v1/events`)).status).toBe(404);
      expect((await fetch(`${base}/health/ready`, { method: 'POST' })).status).toBe(405);
    }
    // A new minute may close while this runs: the count is bounded by the digests stored
    // just before and just after the scrape — of every company (the counter counts them all;
    // the decoy company "old" of the expired indices is sealed too).
    const before = (await digestsOf()).length;
    const metrics = await Promise.all(
      ports.map((port) => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())),
    );
    const after = (await digestsOf()).length;
    const total = (name: string) =>
      metrics
        .flatMap((text) => text.split('\n'))
        .filter((line) => line.startsWith(name))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(total('auditlog_retention_indices_deleted_total')).toBe(expiredIndices.length);
    expect(total('auditlog_export_files_expired_total')).toBe(expiredExports.length);
    const sealed = total('auditlog_integrity_digests_created_total');
    expect(sealed).toBeGreaterThanOrEqual(before);
    expect(sealed).toBeLessThanOrEqual(after);
  });

  it('stops on SIGTERM through the shutdown hooks, not with an error', async () => {
    const ended = await Promise.all(workers.map((worker) => worker.stop()));
    // Nest runs the shutdown hooks (the worker closes first), then re-raises the signal; a
    // crash in a hook would exit with status 1 instead.
    expect(ended).toEqual([
      { code: null, signal: 'SIGTERM' },
      { code: null, signal: 'SIGTERM' },
    ]);
  });
});

describe('the query app schedules nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'query-no-jobs-'));
  const setup = testEnvironment('query-no-jobs', undefined, {
    INTEGRITY_SIGNING_KEY: signingKey(dir),
    INTEGRITY_SIGNING_KEY_ID: 'k1',
    INTEGRITY_WINDOW: '1m',
    INTEGRITY_SETTLE_SECONDS: '0',
    RETENTION_CLASSES: '1d,7d',
    DEFAULT_RETENTION_CLASS: '7d',
    INTEGRITY_JOB_INTERVAL_SECONDS: '1',
    RETENTION_SWEEP_INTERVAL_SECONDS: '1',
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '1',
  });
  const names = new IndexNames(setup.indexPrefix);
  const expired = names.eventsIndex('1d', daysAgo(new Date(), 3));
  let client: Client;
  let query: INestApplication;
  let maintenance: INestApplicationContext | undefined;
  let redis: Redis;

  beforeAll(async () => {
    client = testClient();
    redis = new Redis(setup.env.REDIS_URL as string, { lazyConnect: true });
    query = await startApp('query', QueryModule, setup.env);
  });

  afterAll(async () => {
    await maintenance?.close();
    await query?.close();
    await dropMaintenanceQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    redis.disconnect();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('seals no digest and deletes no index with one-second intervals; the worker does', async () => {
    await storeReceived(query, 'acme', 'q-1', new Date(Date.now() - 3 * MINUTE));
    await seedIndex(client, expired, 'old', new Date());
    const digests = `${setup.indexPrefix}-digests`;
    // Five intervals of the query app's old timers: nothing may happen in any of them.
    const since = Date.now();
    await waitFor(
      async () => {
        const { body: sealed } = await client.indices.exists({ index: digests });
        const { body: present } = await client.indices.exists({ index: expired });
        if (sealed || !present) throw new Error('the query app ran a background job');
        return Date.now() - since >= 5_000;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(await redis.keys(`${setup.indexPrefix}:maintenance:*`)).toEqual([]);
    const metrics = await request(query.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).not.toContain('auditlog_integrity_job_runs_total');

    // The control: the maintenance worker with the same settings does both at once.
    maintenance = await startMaintenance(setup.env);
    await waitFor(
      async () => {
        const { body: present } = await client.indices.exists({ index: expired });
        await client.indices.refresh({ index: digests, ignore_unavailable: true });
        const { body } = await client.count({ index: digests, ignore_unavailable: true });
        return !present && body.count > 0;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});
