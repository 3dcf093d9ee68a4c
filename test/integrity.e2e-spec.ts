import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import { normalizeEvent, type StoredEvent, toOwnerView } from '@auditlog/events';
import type { Digest } from '@auditlog/integrity';
import { EventRepository, eventDocumentId } from '@auditlog/opensearch';
import { IndexRouter } from '@auditlog/retention';
import {
  adminToken,
  dropPrefix,
  ownerToken,
  startApp,
  testClient,
  testEnvironment,
  waitFor,
  firstOf,
} from '@auditlog/testing';
import type { DigestRunSummary } from '../apps/maintenance/src/integrity/digest-sealing.service';
import { QueryModule } from '../apps/query/src/query.module';
import { storeReceived } from './integrity-seed';
import { MaintenanceJob, metricsOf, runJob, startMaintenance } from './maintenance/support';

const MINUTE = 60_000;

function keyPair(dir: string, name: string) {
  const pair = generateKeyPairSync('ed25519');
  const privatePath = join(dir, `${name}.key.pem`);
  const publicPath = join(dir, `${name}.pub.pem`);
  writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(publicPath, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { privatePath, publicPath };
}

describe('integrity: signed digest chains and verification', () => {
  const dir = mkdtempSync(join(tmpdir(), 'integrity-e2e-'));
  const oldKey = keyPair(dir, 'k1');
  const newKey = keyPair(dir, 'k2');
  const integrityEnv = {
    INTEGRITY_SIGNING_KEY: oldKey.privatePath,
    INTEGRITY_SIGNING_KEY_ID: 'k1',
    INTEGRITY_WINDOW: '1m',
    INTEGRITY_SETTLE_SECONDS: '0',
    // The suite runs the job itself at chosen instants; the scheduled run is covered below.
    INTEGRITY_JOB_INTERVAL_SECONDS: '0',
  };
  const setup = testEnvironment('integrity', undefined, integrityEnv);
  const rotatedEnv = {
    ...setup.env,
    INTEGRITY_SIGNING_KEY: newKey.privatePath,
    INTEGRITY_SIGNING_KEY_ID: 'k2',
    INTEGRITY_PUBLIC_KEYS: `k1=${oldKey.publicPath}`,
  };
  // Whole minutes well in the past, so the real clock never interferes with the windows.
  const base = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
  const at = (minutes: number, seconds = 0) => new Date(base + minutes * MINUTE + seconds * 1000);
  const iso = (minutes: number) => at(minutes).toISOString();

  let client: Client;
  let app: INestApplication;
  let maintenance: INestApplicationContext;
  const others: Array<INestApplication | INestApplicationContext> = [];
  /** One run of the digest job through the maintenance queue, as its scheduler starts it. */
  const seal = (worker: INestApplicationContext, now: Date) =>
    runJob<DigestRunSummary>(worker, MaintenanceJob.sealDigests, now);

  const store = (companyId: string, id: string, receivedAt: Date, action = 'flow.created') =>
    storeReceived(app, companyId, id, receivedAt, action);

  async function refresh(): Promise<void> {
    await client.indices.refresh({ index: `${setup.indexPrefix}-*`, ignore_unavailable: true });
  }

  async function storedLocation(companyId: string, id: string): Promise<{ index: string }> {
    await refresh();
    const { body } = await client.search({
      index: `${setup.indexPrefix}-events-*`,
      body: { query: { ids: { values: [eventDocumentId(companyId, id)] } } },
    });
    return { index: firstOf(body.hits.hits as Array<{ _index: string }>, 'hit')._index };
  }

  const owner = (companyId: string) => `Bearer ${ownerToken(setup.jwtSecret, companyId)}`;

  async function verify(target: INestApplication, companyId: string, from: number, to: number) {
    const response = await request(target.getHttpServer())
      .get('/v1/integrity/verify')
      .query({ from: iso(from), to: iso(to) })
      .set('Authorization', owner(companyId))
      .expect(200);
    return response.body;
  }

  /** Downloads digests and exports events, then runs the offline CLI on the files. */
  async function offline(companyId: string, from: number, to: number, ...extra: string[]) {
    const digests = await request(app.getHttpServer())
      .get('/v1/integrity/digests')
      .query({ from: iso(from), to: iso(to) })
      .set('Authorization', owner(companyId))
      .expect(200);
    await refresh();
    const { body } = await client.search({
      index: `${setup.indexPrefix}-events-*`,
      body: {
        size: 1000,
        query: {
          bool: {
            filter: [
              { term: { company_id: companyId } },
              { range: { received_at: { gte: iso(from), lt: iso(to) } } },
            ],
          },
        },
      },
    });
    const events = (body.hits.hits as Array<{ _source: StoredEvent }>).map((hit) =>
      JSON.stringify(toOwnerView(hit._source)),
    );
    const exportPath = join(dir, `${companyId}-export.ndjson`);
    const digestsPath = join(dir, `${companyId}-digests.json`);
    writeFileSync(exportPath, `${events.join('\n')}\n`);
    writeFileSync(digestsPath, JSON.stringify(digests.body));
    const run = spawnSync(
      process.execPath,
      [
        'bin/auditlog-verify.js',
        exportPath,
        '--digests',
        digestsPath,
        '--public-key',
        `k1=${oldKey.publicPath}`,
        '--public-key',
        newKey.publicPath,
        ...extra,
      ],
      { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 60_000 },
    );
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  beforeAll(async () => {
    client = testClient();
    app = await startApp('query', QueryModule, setup.env);
    maintenance = await startMaintenance(setup.env);
    // acme: events in minutes 0, 1 and 3; minute 2 stays empty. globex: minute 1 only.
    await store('acme', 'a-1', at(0, 5));
    await store('acme', 'a-2', at(0, 5));
    await store('acme', 'a-3', at(1, 30));
    await store('acme', 'a-4', at(3, 59));
    await store('globex', 'g-1', at(1, 10));
    await store('initech', 'i-1', at(0, 1));
    await refresh();
    await seal(maintenance, at(5));
  });

  afterAll(async () => {
    for (const other of others) await other.close();
    await maintenance?.close();
    await app?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals every closed window of every company, empty windows included, in one chain', async () => {
    const response = await request(app.getHttpServer())
      .get('/v1/integrity/digests')
      .query({ from: iso(0), to: iso(5) })
      .set('Authorization', owner('acme'))
      .expect(200);
    const digests = response.body as Digest[];
    expect(digests.map((digest) => [digest.window_start, digest.event_count])).toEqual([
      [iso(0), 2],
      [iso(1), 1],
      [iso(2), 0],
      [iso(3), 1],
      [iso(4), 0],
    ]);
    expect(digests[0]?.previous_digest_hash).toBeNull();
    expect(digests[0]?.leaves.map((leaf) => leaf.id)).toEqual(['a-1', 'a-2']);
    expect(digests.every((digest) => digest.company_id === 'acme' && digest.key_id === 'k1')).toBe(
      true,
    );

    const globex = await request(app.getHttpServer())
      .get('/v1/integrity/digests')
      .query({ from: iso(0), to: iso(5), company_id: 'globex' })
      .set('Authorization', `Bearer ${adminToken(setup.jwtSecret)}`)
      .expect(200);
    expect((globex.body as Digest[]).map((digest) => digest.window_start)).toEqual([
      iso(1),
      iso(2),
      iso(3),
      iso(4),
    ]);
  });

  it('answers ok for untouched data, online and offline', async () => {
    const report = await verify(app, 'acme', 0, 5);
    expect(report).toMatchObject({
      status: 'ok',
      company_id: 'acme',
      digests: 5,
      events: 4,
      modified: [],
      missing: [],
      unexpected: [],
      chain: [],
    });
    const cli = await offline('acme', 0, 5);
    expect(cli.output).toContain('acme: OK');
    expect(cli.status).toBe(0);
  });

  it('publishes the signing key as PEM and JWK without authentication', async () => {
    const response = await request(app.getHttpServer())
      .get('/v1/integrity/public-keys')
      .expect(200);
    expect(response.body.keys).toEqual([
      expect.objectContaining({
        key_id: 'k1',
        algorithm: 'Ed25519',
        current: true,
        jwk: expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: 'k1' }),
        pem: expect.stringContaining('BEGIN PUBLIC KEY'),
      }),
    ]);
  });

  it('names an event changed in OpenSearch as modified', async () => {
    const { index } = await storedLocation('acme', 'a-3');
    await client.update({
      index,
      id: eventDocumentId('acme', 'a-3'),
      body: { doc: { action: 'flow.deleted' } },
      refresh: true,
    });
    const report = await verify(app, 'acme', 0, 5);
    expect(report.status).toBe('failed');
    expect(report.modified).toEqual([{ id: 'a-3', window_start: iso(1), reason: 'content' }]);
    const cli = await offline('acme', 0, 5);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('modified event a-3');
  });

  it('names an event deleted from OpenSearch as missing', async () => {
    const { index } = await storedLocation('acme', 'a-2');
    await client.delete({ index, id: eventDocumentId('acme', 'a-2'), refresh: true });
    const report = await verify(app, 'acme', 0, 5);
    expect(report.missing).toEqual([{ id: 'a-2', window_start: iso(0) }]);
    const cli = await offline('acme', 0, 5);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('missing event a-2');
    // A partial export is not expected to hold every sealed event.
    expect((await offline('acme', 0, 5, '--partial')).output).not.toContain('missing event');
  });

  it('names a forged event with a valid-looking hash as unexpected', async () => {
    await store('acme', 'forged-1', at(2, 30));
    await refresh();
    const report = await verify(app, 'acme', 0, 5);
    expect(report.unexpected).toEqual([{ id: 'forged-1', received_at: at(2, 30).toISOString() }]);
    expect(report.modified.map((event: { id: string }) => event.id)).not.toContain('forged-1');
    const cli = await offline('acme', 0, 5);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('unexpected event forged-1');
  });

  it('reports an altered or deleted digest as a broken chain', async () => {
    const digestsIndex = `${setup.indexPrefix}-digests`;
    await client.update({
      index: digestsIndex,
      id: `globex:${iso(2)}`,
      body: { doc: { event_count: 7 } },
      refresh: true,
    });
    const altered = await verify(app, 'globex', 0, 5);
    expect(altered.status).toBe('failed');
    expect(
      altered.chain.map((problem: { window_start: string; problem: string }) => [
        problem.window_start,
        problem.problem,
      ]),
    ).toEqual([
      [iso(2), 'bad_signature'],
      [iso(2), 'bad_event_count'],
      [iso(3), 'broken_link'],
    ]);
    const alteredCli = await offline('globex', 0, 5);
    expect(alteredCli.status).toBe(1);
    expect(alteredCli.output).toContain(`digest ${iso(2)}: bad_signature`);

    await client.delete({ index: digestsIndex, id: `globex:${iso(3)}`, refresh: true });
    const deleted = await verify(app, 'globex', 0, 5);
    expect(deleted.chain).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ window_start: iso(4), problem: 'gap' }),
        expect.objectContaining({ window_start: iso(4), problem: 'broken_link' }),
      ]),
    );
    const deletedCli = await offline('globex', 0, 5);
    expect(deletedCli.status).toBe(1);
    expect(deletedCli.output).toContain(`digest ${iso(4)}: gap`);
  });

  it('verifies digests signed before and after a key rotation', async () => {
    const rotated = await startApp('query', QueryModule, rotatedEnv);
    others.push(rotated);
    // A rotation restarts the maintenance worker with the new key: replicas share one queue.
    await maintenance.close();
    maintenance = await startMaintenance(rotatedEnv);
    await store('initech', 'i-2', at(5, 20));
    await refresh();
    await seal(maintenance, at(7));
    const digests = await request(rotated.getHttpServer())
      .get('/v1/integrity/digests')
      .query({ from: iso(0), to: iso(7) })
      .set('Authorization', owner('initech'))
      .expect(200);
    expect((digests.body as Digest[]).map((digest) => digest.key_id)).toEqual([
      'k1',
      'k1',
      'k1',
      'k1',
      'k1',
      'k2',
      'k2',
    ]);
    expect(await verify(rotated, 'initech', 0, 7)).toMatchObject({
      status: 'ok',
      digests: 7,
      events: 2,
    });
    const keys = await request(rotated.getHttpServer())
      .get('/v1/integrity/public-keys')
      .expect(200);
    expect(
      keys.body.keys.map((key: { key_id: string; current: boolean }) => [key.key_id, key.current]),
    ).toEqual([
      ['k2', true],
      ['k1', false],
    ]);
    const cli = await offline('initech', 0, 7);
    expect(cli.output).toContain('initech: OK');
    expect(cli.status).toBe(0);
  });

  it('writes one digest per window when two replicas run the job at once', async () => {
    const first = await startApp('query', QueryModule, rotatedEnv);
    const firstWorker = await startMaintenance(rotatedEnv);
    const secondWorker = await startMaintenance(rotatedEnv);
    others.push(first, firstWorker, secondWorker);
    await store('umbrella', 'u-1', at(8, 1));
    await store('umbrella', 'u-2', at(10, 2));
    await refresh();
    // Two runs requested at once, from both replicas' queues, taken by either worker.
    const runs = await Promise.all([seal(firstWorker, at(14)), seal(secondWorker, at(14))]);
    await refresh();
    const { body } = await client.search({
      index: `${setup.indexPrefix}-digests`,
      body: {
        size: 100,
        query: { term: { company_id: 'umbrella' } },
        sort: [{ window_start: 'asc' }],
      },
    });
    const windows = (body.hits.hits as Array<{ _source: Digest }>).map(
      (hit) => hit._source.window_start,
    );
    expect(windows).toEqual([iso(8), iso(9), iso(10), iso(11), iso(12), iso(13)]);
    expect(runs.every((run) => run.companies >= 1)).toBe(true);
    expect(await verify(first, 'umbrella', 8, 14)).toMatchObject({
      status: 'ok',
      digests: 6,
      events: 2,
    });
  });

  it('keeps companies apart and rejects bad ranges with problem+json', async () => {
    await request(app.getHttpServer())
      .get('/v1/integrity/verify')
      .query({ company_id: 'globex' })
      .set('Authorization', owner('acme'))
      .expect(403);
    await request(app.getHttpServer()).get('/v1/integrity/verify').expect(401);
    for (const query of [
      { from: 'yesterday' },
      { from: iso(5), to: iso(1) },
      { from: '2020-01-01T00:00:00Z', to: '2020-03-01T00:00:00Z' },
    ]) {
      const response = await request(app.getHttpServer())
        .get('/v1/integrity/digests')
        .query(query)
        .set('Authorization', owner('acme'))
        .expect(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('catches up on start and keeps sealing on its maintenance schedule', async () => {
    const scheduled = testEnvironment('integrity-schedule', undefined, {
      ...integrityEnv,
      INTEGRITY_JOB_INTERVAL_SECONDS: '1',
    });
    const writer = await startApp('query', QueryModule, {
      ...scheduled.env,
      INTEGRITY_JOB_INTERVAL_SECONDS: '0',
    });
    const receivedAt = new Date(Date.now() - 3 * MINUTE);
    try {
      const result = normalizeEvent(
        {
          id: 's-1',
          timestamp: receivedAt.toISOString(),
          company_id: 'acme',
          action: 'flow.created',
          actor: { id: 'alice' },
        },
        { keyId: 'test', now: receivedAt },
      );
      if (!result.ok) throw new Error('invalid event');
      await writer.get(EventRepository).bulkCreate([
        {
          index: await writer.get(IndexRouter).writeIndexFor('acme', result.event.timestamp),
          id: eventDocumentId('acme', 's-1'),
          document: result.event,
        },
      ]);
      await client.indices.refresh({ index: `${scheduled.indexPrefix}-events-*` });
    } finally {
      await writer.close();
    }
    const running = await startApp('query', QueryModule, scheduled.env);
    const scheduler = await startMaintenance(scheduled.env);
    try {
      const windowOfEvent = new Date(Math.floor(receivedAt.getTime() / MINUTE) * MINUTE);
      const digests = await waitFor(
        async () => {
          const response = await request(running.getHttpServer())
            .get('/v1/integrity/digests')
            .query({ from: windowOfEvent.toISOString() })
            .set('Authorization', `Bearer ${ownerToken(scheduled.jwtSecret, 'acme')}`)
            .expect(200);
          return (response.body as Digest[]).length >= 2 ? (response.body as Digest[]) : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(digests[0]).toMatchObject({
        window_start: windowOfEvent.toISOString(),
        event_count: 1,
      });
      expect(digests[0]?.previous_digest_hash).toBeNull();
      expect(await metricsOf(scheduler)).toMatch(
        /auditlog_integrity_digests_created_total\{[^}]*\} [1-9]/,
      );
    } finally {
      await scheduler.close();
      await running.close();
      await dropPrefix(client, scheduled.indexPrefix);
    }
  });

  it('says integrity is not configured when no key is set', async () => {
    const plain = testEnvironment('integrity-off');
    const offEnv = { ...plain.env, OPENSEARCH_INDEX_PREFIX: setup.indexPrefix };
    const off = await startApp('query', QueryModule, offEnv);
    const offWorker = await startMaintenance(offEnv);
    others.push(off, offWorker);
    const response = await request(off.getHttpServer())
      .get('/v1/integrity/verify')
      .set('Authorization', `Bearer ${ownerToken(plain.jwtSecret, 'acme')}`)
      .expect(200);
    expect(response.body).toMatchObject({ status: 'not_configured' });
    const keys = await request(off.getHttpServer()).get('/v1/integrity/public-keys').expect(200);
    expect(keys.body).toEqual({ keys: [] });
    expect(await seal(offWorker, at(20))).toEqual({ created: 0, companies: 0 });
  });
});
