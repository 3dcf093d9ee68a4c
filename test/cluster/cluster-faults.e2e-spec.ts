import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { IndexNames } from '@auditlog/opensearch';
import {
  type AppProcess,
  dropPrefix,
  ownerToken,
  type SentinelGroup,
  startSentinelGroup,
  testClient,
  cycle,
  firstOf,
  itemAt,
  type TestEnvironment,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { killClusterNode, startClusterNode } from '../../scripts/services';
import { bulkSeed } from '../export/support';
import { expectStoredExactlyAcknowledged } from '../faults/support/outcome';
import { ProducerFleet } from '../faults/support/producers';
import { readStoredEvents, type StoredSet } from '../faults/support/stored-events';
import { ReadProbe } from './support/read-probe';
import { type Replicas, startReplica, startReplicas } from './support/replicas';

const PRODUCERS = 50;
const BATCH = 20;
/** Acknowledged events to see before a fault, and again after it. */
const PROGRESS = 1000;
/** How long the killed OpenSearch node stays down while traffic goes on. */
const NODE_DOWN_MS = 15_000;
/** Rows behind every export: enough for a job to be seen running when a fault strikes. */
const ROWS = 30_000;
const EXPORT_JOBS = 6;

interface ExportBody {
  id: string;
  status: string;
  rows: number | null;
  sha256: string | null;
  error: string | null;
}

interface ShardRow {
  index: string;
  prirep: string;
  state: string;
  node: string | null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The events one fleet sent (the suite's indices also hold seeded rows and read audits). */
function sentBy(stored: StoredSet, runId: string): StoredSet {
  const mine = (id: string) => id.startsWith(`${runId}-p`);
  return { ids: stored.ids.filter(mine), broken: stored.broken.filter(mine) };
}

/**
 * The appliance on a three-node OpenSearch cluster (every index with one replica) and a
 * Redis master with a replica and three Sentinels, two replicas of every process kind,
 * requests spread across them; real SIGKILLs, bounded in time (docs/reliability.md).
 */
describe('two replicas of everything on a three-node cluster and Redis with Sentinels', () => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-cluster-'));
  const exportDir = path.join(logDir, 'exports');
  let sentinel: SentinelGroup;
  let setup: TestEnvironment<'any'>;
  let client: Client;
  let replicas: Replicas;
  const started: AppProcess[] = [];
  const figures: string[] = [];
  let fleet: ProducerFleet | undefined;
  let token: string;
  let names: IndexNames;

  const nextExportUrl = (() => {
    let next = 0;
    return () => cycle(replicas.export, next++, 'export API').url;
  })();

  const readExport = async (id: string): Promise<ExportBody> => {
    for (;;) {
      const response = await fetch(`${nextExportUrl()}/v1/exports/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status === 503 && Number(response.headers.get('retry-after')) > 0) {
        await new Promise((done) => setTimeout(done, 500));
        continue;
      }
      expect(response.status).toBe(200);
      return (await response.json()) as ExportBody;
    }
  };

  /** POSTs an export through the next export API replica, retrying a 503 with Retry-After. */
  const createExport = async (label: string): Promise<string> => {
    const newest = Date.now();
    for (;;) {
      const response = await fetch(`${nextExportUrl()}/v1/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: label,
          format: 'csv',
          filters: { from: new Date(newest - 30 * 3_600_000).toISOString(), to: seededUntil },
        }),
      });
      if (response.status === 503 && Number(response.headers.get('retry-after')) > 0) {
        await new Promise((done) => setTimeout(done, 500));
        continue;
      }
      const body = (await response.json()) as { id: string };
      expect(response.status).toBe(202);
      return body.id;
    }
  };

  const ended = (id: string, timeoutMs: number) =>
    waitFor(
      async () => {
        const body = await readExport(id);
        return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );

  /** Per export id, how many times a worker logged it ended completed. */
  const completions = (): Map<string, string[]> => {
    const seen = new Map<string, string[]>();
    replicas['export-worker'].forEach((worker, number) => {
      for (const line of worker.logs()) {
        if (line.msg !== 'export job ended' || line.outcome !== 'completed') continue;
        const id = String(line.id);
        seen.set(id, [...(seen.get(id) ?? []), `worker-${number + 1}`]);
      }
    });
    return seen;
  };

  /** The record can say `completed` a moment before the worker's log line arrives. */
  const loggedCompletions = async (id: string, atLeast: number): Promise<string[]> => {
    await waitFor(() => Promise.resolve((completions().get(id) ?? []).length >= atLeast), {
      timeoutMs: 15_000,
    }).catch(() => undefined);
    return completions().get(id) ?? [];
  };

  const filesOf = (id: string) => fs.readdirSync(exportDir).filter((name) => name.startsWith(id));

  let seededUntil: string;

  beforeAll(async () => {
    fs.mkdirSync(exportDir, { recursive: true });
    sentinel = await startSentinelGroup();
    setup = testEnvironment('cluster', undefined, {
      REDIS_URL: '',
      REDIS_SENTINELS: sentinel.sentinels,
      REDIS_SENTINEL_NAME: sentinel.name,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      EXPORT_DIR: exportDir,
      EXPORT_JOB_LOCK_SECONDS: '4',
      EXPORT_MAINTENANCE_INTERVAL_SECONDS: '2',
      EXPORT_SCAN_BATCH_SIZE: '2000',
      // Every job of the failover test at once, beyond the default per-company limit.
      EXPORT_MAX_CONCURRENT_PER_COMPANY: '10',
    });
    expect(setup.env.OPENSEARCH_URL?.split(',')).toHaveLength(3);
    expect(setup.env.OPENSEARCH_INDEX_REPLICAS).toBe('1');
    token = ownerToken(setup.jwtSecret, 'acme');
    names = new IndexNames(setup.indexPrefix);
    client = testClient();
    replicas = await startReplicas(setup.env, logDir, started);
    const newest = Date.now() - 3_600_000;
    seededUntil = new Date(newest + 1).toISOString();
    await bulkSeed(client, setup.indexPrefix, 'acme', ROWS, newest, 2_000);
  }, 900_000);

  afterAll(async () => {
    await fleet?.abort();
    await Promise.all(started.map((process) => process.kill('SIGKILL')));
    await sentinel?.stop();
    if (client) await dropPrefix(client, setup.indexPrefix).catch(() => undefined);
    await client?.close();
    process.stdout.write(`cluster figures:\n  ${figures.join('\n  ')}\nlogs: ${logDir}\n`);
  }, 120_000);

  it('SIGKILL of the node holding the primary of today’s index: every acknowledged event stored once, reads answer, back to green', async () => {
    fleet = new ProducerFleet({
      url: firstOf(replicas.ingest, 'ingest').url,
      urls: replicas.ingest.map((ingest) => ingest.url),
      key: setup.keys.any.secret,
      producers: PRODUCERS,
      batch: BATCH,
      runId: `${setup.indexPrefix}-os`,
    });
    const producers = fleet;
    const readers = new ReadProbe(
      replicas.query.map((query) => query.url),
      token,
    );
    fleet.start();
    readers.start();
    await waitFor(() => Promise.resolve(producers.acknowledged.size >= PROGRESS), {
      timeoutMs: 120_000,
    });

    const today = names.eventsIndex('90d', new Date().toISOString());
    const { body: shards } = await client.cat.shards({ index: today, format: 'json' });
    const primary = (shards as ShardRow[]).find((row) => row.prirep === 'p');
    expect(primary?.node).toMatch(/^node-\d$/);
    const victim = primary?.node as string;

    // Longest stretch without a new acknowledgement from the kill on: ingest downtime.
    let lastCount = producers.acknowledged.size;
    let lastGrowth = Date.now();
    let longestStall = 0;
    const watch = setInterval(() => {
      const count = producers.acknowledged.size;
      const now = Date.now();
      if (count > lastCount) {
        longestStall = Math.max(longestStall, now - lastGrowth);
        lastCount = count;
        lastGrowth = now;
      }
    }, 50);

    const killedAt = Date.now();
    await killClusterNode(victim, { log: () => undefined });
    lastGrowth = killedAt;
    await new Promise((done) => setTimeout(done, NODE_DOWN_MS));
    await startClusterNode(victim, { log: () => undefined });
    const rejoinedAt = Date.now();
    const acknowledgedAtRejoin = producers.acknowledged.size;
    await waitFor(
      () => Promise.resolve(producers.acknowledged.size >= acknowledgedAtRejoin + PROGRESS),
      { timeoutMs: 180_000 },
    );
    await fleet.stop();
    clearInterval(watch);
    const reads = await readers.stop();

    const { body: health } = await client.cluster.health({
      wait_for_status: 'green',
      timeout: '180s',
    });
    const greenAt = Date.now();
    const stored = sentBy(
      await readStoredEvents(client, setup.indexPrefix),
      `${setup.indexPrefix}-os`,
    );
    const report = fleet.report();
    figures.push(
      `opensearch: SIGKILLed ${victim} (primary of ${today}), restarted after ${seconds(rejoinedAt - killedAt)}; ` +
        `acknowledged ${report.acknowledgedEvents}, stored ${stored.ids.length}; ` +
        `longest ingest stall ${seconds(longestStall)}; ingest statuses ${JSON.stringify(report.statuses)}; ` +
        `reads ${JSON.stringify(reads.statuses)}, longest read gap ${seconds(reads.longestGapMs)}; ` +
        `green ${seconds(greenAt - killedAt)} after the kill`,
    );
    expect(health.status).toBe('green');
    expect(reads.unexpected).toEqual([]);
    expect(reads.statuses[200]).toBeGreaterThan(0);
    // Both ingest replicas took traffic.
    expect([...producers.answeredBy.values()].every((count) => count > 0)).toBe(true);
    expect(producers.answeredBy.size).toBe(2);
    expectStoredExactlyAcknowledged(producers, stored);
  }, 600_000);

  it('one of two export workers SIGKILLed mid-job: the job completes once, on the other', async () => {
    const id = await createExport('worker killed');
    const running = await waitFor(
      async () => {
        const body = await readExport(id);
        if (body.status === 'completed') throw new Error('the job finished before the kill');
        return body.status === 'running' && (body.rows ?? 0) > 0 ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    expect(running.rows).toBeLessThan(ROWS);
    const busy = replicas['export-worker'].findIndex((worker) =>
      worker.logs().some((line) => line.msg === 'export job started' && line.id === id),
    );
    expect(busy).toBeGreaterThanOrEqual(0);
    const killedAt = Date.now();
    await itemAt(replicas['export-worker'], busy, 'export worker').kill('SIGKILL');

    const record = await ended(id, 240_000);
    figures.push(
      `export worker: SIGKILLed worker-${busy + 1} at ${running.rows} of ${ROWS} rows; the other completed the job ${seconds(Date.now() - killedAt)} later`,
    );
    expect(record).toMatchObject({ status: 'completed', rows: ROWS, error: null });
    expect(await loggedCompletions(id, 1)).toEqual([`worker-${2 - busy}`]);
    expect(filesOf(id)).toEqual([`${id}.csv`]);

    // Two workers again for what follows.
    const replacement = await startReplica('export-worker', setup.env, logDir, 3);
    started.push(replacement);
    replicas['export-worker'][busy] = replacement;
  }, 420_000);

  it('Redis master SIGKILLed during export jobs and ingest: Sentinel promotes the replica, every job ends once, ingest keeps storing', async () => {
    const before = completions();
    fleet = new ProducerFleet({
      url: firstOf(replicas.ingest, 'ingest').url,
      urls: replicas.ingest.map((ingest) => ingest.url),
      key: setup.keys.any.secret,
      producers: PRODUCERS,
      batch: BATCH,
      runId: `${setup.indexPrefix}-redis`,
    });
    const producers = fleet;
    fleet.start();
    const ids: string[] = [];
    for (let job = 0; job < EXPORT_JOBS; job++) ids.push(await createExport(`failover ${job}`));
    await waitFor(
      async () => {
        const statuses = await Promise.all(ids.map(async (id) => (await readExport(id)).status));
        return statuses.includes('running');
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );

    const master = await sentinel.master();
    const killedAt = Date.now();
    await master.kill();
    const promoted = await sentinel.awaitFailover(master.port, 60_000);
    const failoverMs = Date.now() - killedAt;
    // Jobs asked for after the failover are taken as well.
    const firstAfter = Date.now();
    ids.push(await createExport('after failover'));
    const acceptedAfterMs = Date.now() - firstAfter;
    const acknowledgedAtFailover = producers.acknowledged.size;
    await waitFor(
      () => Promise.resolve(producers.acknowledged.size >= acknowledgedAtFailover + PROGRESS),
      { timeoutMs: 180_000 },
    );

    const records = await Promise.all(ids.map((id) => ended(id, 300_000)));
    await fleet.stop();
    const ingestOnly = sentBy(
      await readStoredEvents(client, setup.indexPrefix),
      `${setup.indexPrefix}-redis`,
    );
    const outcome = records.map((record) => record.status);
    figures.push(
      `redis: SIGKILLed master :${master.port}; Sentinels named :${promoted} after ${seconds(failoverMs)}; ` +
        `an export POST then took ${seconds(acceptedAfterMs)}; jobs ${JSON.stringify(outcome)}; ` +
        `ingest acknowledged ${producers.acknowledged.size}, stored ${ingestOnly.ids.length}, statuses ${JSON.stringify(fleet.report().statuses)}`,
    );

    const done = completions();
    for (const record of records) {
      expect(['completed', 'failed']).toContain(record.status);
      const earlier = (before.get(record.id) ?? []).length;
      const runs =
        record.status === 'completed'
          ? (await loggedCompletions(record.id, earlier + 1)).length - earlier
          : (done.get(record.id) ?? []).length - earlier;
      if (record.status === 'completed') {
        expect(record.rows).toBe(ROWS);
        expect(runs).toBe(1);
        expect(filesOf(record.id)).toEqual([`${record.id}.csv`]);
      } else {
        expect(record.error).toMatch(/queue|Redis/);
        expect(record.sha256).toBeNull();
        expect(runs).toBe(0);
        await waitFor(() => Promise.resolve(filesOf(record.id).length === 0), {
          timeoutMs: 60_000,
        });
      }
    }
    expectStoredExactlyAcknowledged(producers, ingestOnly);
  }, 600_000);
});
