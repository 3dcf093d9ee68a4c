import { createHash, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import type { Digest } from '@auditlog/integrity';
import {
  type AppProcess,
  dropPrefix,
  ownerToken,
  startApp,
  startProcess,
  stopProcess,
  testClient,
  testEnvironment,
  waitFor,
  firstOf,
  itemAt,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import type { ExportManifest } from '../../apps/export/src/worker/integrity-bundle.writer';
import { QueryModule } from '../../apps/query/src/query.module';
import { main as verifyCli } from '../../scripts/verify/cli';
import { storeReceived } from '../integrity-seed';
import { MaintenanceJob, runJob, startMaintenance } from '../maintenance/support';
import { binary, dropExportQueue, ensureBuild } from './support';

const MINUTE = 60_000;
/** Events per sealed minute; AUDITLOG_EXPORT_INTEGRITY_EVENTS scales the run. */
const PER_MINUTE = Math.max(
  1,
  Math.ceil(Number(process.env.AUDITLOG_EXPORT_INTEGRITY_EVENTS ?? 12) / 4),
);

describe('export jobs with include_integrity: digests, manifest, offline verification', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-integrity-'));
  const exportDir = path.join(dir, 'exports');
  const pair = generateKeyPairSync('ed25519');
  const keyPath = path.join(dir, 'k1.key.pem');
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  fs.writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const setup = testEnvironment('export-integrity', undefined, {
    EXPORT_DIR: exportDir,
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    INTEGRITY_SIGNING_KEY: keyPath,
    INTEGRITY_SIGNING_KEY_ID: 'k1',
    INTEGRITY_WINDOW: '1m',
    INTEGRITY_SETTLE_SECONDS: '0',
    INTEGRITY_JOB_INTERVAL_SECONDS: '0',
  });
  const acme = ownerToken(setup.jwtSecret, 'acme');
  // Whole minutes well in the past, so the real clock never interferes with the windows.
  const base = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
  const at = (minutes: number, seconds = 0) => new Date(base + minutes * MINUTE + seconds * 1000);
  const iso = (minutes: number) => at(minutes).toISOString();
  let client: Client;
  let query: INestApplication;
  let app: INestApplication;
  let worker: AppProcess | undefined;

  /** Makes the stored events searchable and seals every window closed by `now`. */
  async function sealUntil(now: Date): Promise<void> {
    await client.indices.refresh({ index: `${setup.indexPrefix}-*`, ignore_unavailable: true });
    const maintenance = await startMaintenance(setup.env);
    try {
      await runJob(maintenance, MaintenanceJob.sealDigests, now);
    } finally {
      await maintenance.close();
    }
  }

  beforeAll(async () => {
    client = testClient();
    const building = ensureBuild();
    query = await startApp('query', QueryModule, setup.env);
    app = await startApp('export', ExportModule, setup.env);
    // acme: events in minutes 0, 1 and 3 (minute 2 stays empty); globex in minute 1.
    for (const minute of [0, 1, 3]) {
      for (let index = 0; index < PER_MINUTE; index++) {
        await storeReceived(query, 'acme', `a-${minute}-${index}`, at(minute, 5 + index));
      }
    }
    await storeReceived(query, 'globex', 'g-1', at(1, 10));
    await sealUntil(at(5));
    worker = await startProcess('export-worker', setup.env, { cwd: await building });
  }, 600_000);

  afterAll(async () => {
    await stopProcess(worker);
    await app?.close();
    await query?.close();
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const create = (body: Record<string, unknown>, token = acme) =>
    request(app.getHttpServer())
      .post('/v1/exports')
      .set('authorization', `Bearer ${token}`)
      .send(body);
  const download = (id: string, part?: string, token = acme) =>
    request(app.getHttpServer())
      .get(`/v1/exports/${id}/download`)
      .query(part ? { part } : {})
      .set('authorization', `Bearer ${token}`)
      .buffer(true)
      .parse(binary);
  const completed = (id: string, token = acme) =>
    waitFor(
      async () => {
        const { body } = await request(app.getHttpServer())
          .get(`/v1/exports/${id}`)
          .set('authorization', `Bearer ${token}`);
        if (body.status === 'failed') throw new Error(`export failed: ${body.error}`);
        return body.status === 'completed' ? (body as Record<string, unknown>) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  const history = async () =>
    (
      await request(app.getHttpServer())
        .get('/v1/exports')
        .set('authorization', `Bearer ${acme}`)
        .expect(200)
    ).body.data as unknown[];

  function verify(...args: string[]): { status: number; output: string } {
    let output = '';
    const sink = { write: (text: string) => (output += text) };
    return { status: verifyCli(args, sink, sink), output };
  }

  it.each([
    [{ format: 'csv' }, 'include_integrity needs format json or ndjson'],
    [{ format: 'xlsx' }, 'include_integrity needs format json or ndjson'],
    [
      { format: 'ndjson', filters: { from: iso(0), to: iso(5), action: 'flow.created' } },
      'include_integrity allows only the from and to filters, not action',
    ],
    [{ format: 'ndjson', include_integrity: 'yes' }, 'include_integrity must be a boolean'],
  ])('rejects %j with 400 problem+json and stores nothing', async (extra, message) => {
    const before = (await history()).length;
    const response = await create({
      name: 'bad',
      filters: { from: iso(0), to: iso(5) },
      include_integrity: true,
      ...extra,
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual([{ path: 'include_integrity', message }]);
    expect(await history()).toHaveLength(before);
  });

  it('bundles the covering digests and a manifest that verify offline; tampering is reported', async () => {
    const created = await create({
      name: 'sealed',
      format: 'ndjson',
      filters: { from: iso(0), to: iso(5) },
      include_integrity: true,
    }).expect(202);
    const id = created.body.id as string;
    const view = await completed(id);
    expect(view).toMatchObject({ include_integrity: true, integrity_files: true });
    expect(view.rows).toBe(3 * PER_MINUTE);

    const events = await download(id).expect(200);
    const digests = await download(id, 'digests').expect(200);
    const manifestResponse = await download(id, 'manifest').expect(200);
    expect(digests.headers['content-type']).toBe('application/json; charset=utf-8');
    const eventBytes = events.body as Buffer;
    const digestList = JSON.parse((digests.body as Buffer).toString('utf8')) as Digest[];
    const manifest = JSON.parse(
      (manifestResponse.body as Buffer).toString('utf8'),
    ) as ExportManifest;

    // Windows 0..4, every one wholly inside the range; the same digests the query API serves.
    expect(digestList.map((digest) => digest.window_start)).toEqual([0, 1, 2, 3, 4].map(iso));
    expect(digestList.every((digest) => digest.company_id === 'acme')).toBe(true);
    const served = await request(query.getHttpServer())
      .get('/v1/integrity/digests')
      .query({ from: iso(0), to: iso(5) })
      .set('authorization', `Bearer ${acme}`)
      .expect(200);
    expect(digestList).toEqual(served.body);
    expect(manifest).toMatchObject({
      version: 2,
      export_id: id,
      company_id: 'acme',
      format: 'ndjson',
      range_field: 'received_at',
      from: iso(0),
      to: iso(5),
      rows: 3 * PER_MINUTE,
      events_bytes: eventBytes.length,
      events_sha256: createHash('sha256').update(eventBytes).digest('hex'),
      digests_sha256: createHash('sha256')
        .update(digests.body as Buffer)
        .digest('hex'),
      digest_count: 5,
      first_window_start: iso(0),
      last_window_end: iso(5),
      key_ids: ['k1'],
      public_keys: [{ key_id: 'k1', pem: publicPem }],
    });
    expect(manifest.events_sha256).toBe(view.sha256);

    const eventsPath = path.join(dir, 'export.ndjson');
    const digestsPath = path.join(dir, 'digests.json');
    const keyFile = path.join(dir, 'k1.pub.pem');
    fs.writeFileSync(eventsPath, eventBytes);
    fs.writeFileSync(digestsPath, digests.body as Buffer);
    fs.writeFileSync(keyFile, firstOf(manifest.public_keys, 'public key').pem);
    const good = verify(eventsPath, '--digests', digestsPath, '--public-key', `k1=${keyFile}`);
    expect(good.output).toContain(`acme: OK (5 digest(s), ${3 * PER_MINUTE} event(s))`);
    expect(good.status).toBe(0);

    const lines = eventBytes.toString('utf8').split('\n');
    const victim = JSON.parse(itemAt(lines, 1, 'event line')) as {
      id: string;
      description: string;
    };
    lines[1] = JSON.stringify({ ...victim, description: 'nothing happened here' });
    fs.writeFileSync(eventsPath, lines.join('\n'));
    const tampered = verify(eventsPath, '--digests', digestsPath, '--public-key', `k1=${keyFile}`);
    expect(tampered.output).toContain('acme: FAILED');
    expect(tampered.output).toContain(
      `acme: modified event ${victim.id}: content does not match its hash`,
    );
    expect(tampered.status).toBe(1);

    // DELETE removes every file of the export; the parts are gone with it.
    const files = () => fs.readdirSync(exportDir).filter((name) => name.startsWith(id));
    expect(files().sort()).toEqual([`${id}.digests.json`, `${id}.manifest.json`, `${id}.ndjson`]);
    const deleted = await request(app.getHttpServer())
      .delete(`/v1/exports/${id}`)
      .set('authorization', `Bearer ${acme}`)
      .expect(200);
    expect(deleted.body).toMatchObject({ status: 'expired', integrity_files: false });
    expect(files()).toEqual([]);
    expect((await download(id, 'manifest')).status).toBe(409);
  });

  it("verifies an export holding late and early events: the range is the digests' clock", async () => {
    // initech: `timestamp` and `received_at` disagree by minutes for some events.
    const events: Array<[string, Date, Date]> = [
      ['i-normal-1', at(1, 5), at(1, 5)],
      ['i-normal-3', at(3, 5), at(3, 5)],
      // Received inside the range, `timestamp` 20 minutes before it (a late delivery).
      ['i-late-in', at(2, 20), at(-20)],
      // Received inside the range, `timestamp` after it (the producer's clock runs ahead).
      ['i-early-in', at(3, 30), at(6)],
      // `timestamp` inside the range, received after it / before it.
      ['i-late-out', at(7, 10), at(2, 40)],
      ['i-early-out', at(-3), at(0, 30)],
    ];
    for (const [id, receivedAt, timestamp] of events) {
      await storeReceived(query, 'initech', id, receivedAt, 'flow.created', timestamp);
    }
    await sealUntil(at(10));
    const initech = ownerToken(setup.jwtSecret, 'initech');
    const created = await create(
      {
        name: 'late and early',
        format: 'ndjson',
        filters: { from: iso(0), to: iso(5) },
        include_integrity: true,
      },
      initech,
    ).expect(202);
    const id = created.body.id as string;
    await completed(id, initech);
    const fetchPart = async (part: string) =>
      (await download(id, part, initech).expect(200)).body as Buffer;
    const eventBytes = await fetchPart('events');
    const manifest = JSON.parse((await fetchPart('manifest')).toString('utf8')) as ExportManifest;
    const lines = eventBytes.toString('utf8').trimEnd().split('\n');
    const eventsPath = path.join(dir, 'late-early.ndjson');
    const digestsPath = path.join(dir, 'late-early.digests.json');
    const keyFile = path.join(dir, 'late-early.pub.pem');
    fs.writeFileSync(eventsPath, eventBytes);
    fs.writeFileSync(digestsPath, await fetchPart('digests'));
    fs.writeFileSync(keyFile, publicPem);
    const args = [eventsPath, '--digests', digestsPath, '--public-key', `k1=${keyFile}`, '--json'];
    const good = verify(...args);
    expect(JSON.parse(good.output)).toMatchObject({
      initech: { status: 'ok', events: 4, unsealed: 0, pending: 0, missing: [] },
    });
    expect(good.status).toBe(0);

    // Exactly the events the bundled windows seal, in leaf order (received_at, id).
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([
      'i-normal-1',
      'i-late-in',
      'i-normal-3',
      'i-early-in',
    ]);
    expect(manifest).toMatchObject({
      range_field: 'received_at',
      from: iso(0),
      to: iso(5),
      rows: 4,
      digest_count: 5,
      first_window_start: iso(0),
      last_window_end: iso(5),
    });

    // A removed event is still detected.
    fs.writeFileSync(
      eventsPath,
      `${lines.filter((line) => !line.includes('"i-late-in"')).join('\n')}\n`,
    );
    const removed = verify(...args);
    expect(removed.status).toBe(1);
    expect(JSON.parse(removed.output)).toMatchObject({
      initech: { status: 'failed', missing: [{ id: 'i-late-in', window_start: iso(2) }] },
    });
  });

  it('answers 404 for integrity parts of an export without them, 400 for an unknown part', async () => {
    const created = await create({
      name: 'plain',
      format: 'json',
      filters: { from: iso(0), to: iso(5) },
    }).expect(202);
    const id = created.body.id as string;
    expect(await completed(id)).toMatchObject({ include_integrity: false, integrity_files: false });
    expect((await download(id)).status).toBe(200);
    for (const part of ['digests', 'manifest']) {
      const response = await download(id, part);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const bogus = await download(id, 'leaves');
    expect(bogus.status).toBe(400);
    expect(JSON.parse((bogus.body as Buffer).toString('utf8'))).toMatchObject({
      errors: [{ path: 'part', message: 'part must be one of events, digests, manifest' }],
    });
  });
});
