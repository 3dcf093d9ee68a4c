import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import {
  type AppProcess,
  dropPrefix,
  ownerToken,
  startApp,
  startProcess,
  startThrowawayRedis,
  stopProcess,
  testClient,
  testEnvironment,
  type ThrowawayRedis,
  waitFor,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { binary, bulkSeed, ensureBuild } from './support';

/** EXPORT_KILL_ROWS scales the data set; the issue asks for 200,000. */
const ROWS = Number(process.env.EXPORT_KILL_ROWS ?? 200_000);
/** This suite's own redis-server: it is restarted on purpose. */
const REDIS_PORT = 6390;

interface ExportBody {
  id: string;
  status: string;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  progress: number;
}

describe('export jobs survive a killed worker and a restarted Redis', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-export-resilience-'));
  const setup = testEnvironment('export-resilience', undefined, {
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    EXPORT_DIR: exportDir,
    EXPORT_JOB_LOCK_SECONDS: '4',
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '2',
    EXPORT_SCAN_BATCH_SIZE: '2000',
  });
  const token = ownerToken(setup.jwtSecret, 'acme');
  const newest = Date.now() - 60_000;
  const spacingMs = Math.max(1, Math.floor((20 * 3_600_000) / ROWS));
  // Up to the newest seeded event: the jobs' own audit_log.exported events come later.
  const filters = {
    from: new Date(newest - 21 * 3_600_000).toISOString(),
    to: new Date(newest + 1).toISOString(),
  };
  let client: Client;
  let redis: ThrowawayRedis | undefined;
  let app: INestApplication;
  let buildDir: string;
  let worker: AppProcess | undefined;
  let maintenance: AppProcess | undefined;

  const read = async (id: string): Promise<ExportBody> =>
    (
      await request(app.getHttpServer())
        .get(`/v1/exports/${id}`)
        .set('authorization', `Bearer ${token}`)
    ).body as ExportBody;
  const create = async (format: string): Promise<string> => {
    const response = await request(app.getHttpServer())
      .post('/v1/exports')
      .set('authorization', `Bearer ${token}`)
      .send({ name: `resilience ${format}`, format, filters });
    expect(response.status).toBe(202);
    return response.body.id as string;
  };
  const ended = (id: string, timeoutMs: number) =>
    waitFor(
      async () => {
        const body = await read(id);
        return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  const partsOf = (id: string) => fs.readdirSync(exportDir).filter((name) => name.startsWith(id));

  beforeAll(async () => {
    client = testClient();
    const building = ensureBuild();
    redis = await startThrowawayRedis(REDIS_PORT);
    app = await startApp('export', ExportModule, setup.env);
    await bulkSeed(client, setup.indexPrefix, 'acme', ROWS, newest, spacingMs);
    buildDir = await building;
  }, 600_000);

  afterAll(async () => {
    await stopProcess(worker);
    await stopProcess(maintenance);
    await app?.close();
    await redis?.stop();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  }, 60_000);

  it(`finishes a ${ROWS}-row job after its worker is SIGKILLed mid-way: every row once, never stuck running`, async () => {
    worker = await startProcess('export-worker', setup.env, { cwd: buildDir });
    const id = await create('csv');
    const midway = await waitFor(
      async () => {
        const body = await read(id);
        if (body.status === 'completed') throw new Error('the job finished before the kill');
        return body.status === 'running' && (body.rows ?? 0) > 0 ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    await stopProcess(worker, 'SIGKILL');
    expect(midway.rows).toBeLessThan(ROWS);
    expect((await read(id)).status).toBe('running');
    expect(partsOf(id).some((name) => name.endsWith('.part'))).toBe(true);

    // A new worker takes the stalled job over once the dead worker's lock expires.
    worker = await startProcess('export-worker', setup.env, { cwd: buildDir });
    const record = await ended(id, 240_000);
    expect(record).toMatchObject({ status: 'completed', rows: ROWS, error: null, progress: 100 });
    expect(partsOf(id)).toEqual([`${id}.csv`]);

    const file = await request(app.getHttpServer())
      .get(`/v1/exports/${id}/download`)
      .set('authorization', `Bearer ${token}`)
      .buffer(true)
      .parse(binary);
    const bytes = file.body as Buffer;
    expect(bytes.length).toBe(record.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.sha256);
    const rows: unknown = parseCsv(bytes, { bom: true });
    const ids = (rows as string[][]).slice(1).map((row) => row[0]);
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    // Newest first: k-0000000 is the newest event.
    expect(ids[0]).toBe('k-0000000');
    expect(ids.at(-1)).toBe(`k-${String(ROWS - 1).padStart(7, '0')}`);
    expect(ids.every((value, index) => value === `k-${String(index).padStart(7, '0')}`)).toBe(true);
  }, 420_000);

  it('ends completed (whole file) or failed (clear error, no file) when Redis restarts mid-job', async () => {
    worker ??= await startProcess('export-worker', setup.env, { cwd: buildDir });
    const id = await create('ndjson');
    await waitFor(
      async () => {
        const body = await read(id);
        if (body.status === 'completed') throw new Error('the job finished before the restart');
        return body.status === 'running' && (body.rows ?? 0) > 0;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    // Expiry and the lost-job check belong to the maintenance worker: it must find the job
    // that the restarted, empty Redis no longer holds.
    maintenance = await startProcess(
      'maintenance',
      { ...setup.env, MAINTENANCE_HEALTH_PORT: '0' },
      { cwd: buildDir },
    );
    await redis?.restart();

    const record = await ended(id, 180_000);
    if (record.status === 'completed') {
      expect(record.rows).toBe(ROWS);
      const bytes = fs.readFileSync(path.join(exportDir, `${id}.ndjson`));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.sha256);
      expect(bytes.toString('utf8').trimEnd().split('\n')).toHaveLength(ROWS);
    } else {
      expect(record.status).toBe('failed');
      expect(record.error).toMatch(/queue|Redis/);
      expect(record.sha256).toBeNull();
      // The worker removes its partial file once it notices the lost job.
      await waitFor(() => Promise.resolve(partsOf(id).length === 0), { timeoutMs: 60_000 });
      const download = await request(app.getHttpServer())
        .get(`/v1/exports/${id}/download`)
        .set('authorization', `Bearer ${token}`);
      expect(download.status).toBe(409);
    }
  }, 300_000);
});
