import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import type { StoredEvent } from '@auditlog/events';
import {
  adminToken,
  type AppProcess,
  dropPrefix,
  ownerToken,
  startApp,
  startProcess,
  stopProcess,
  storedDocuments,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import type { MaintenanceResult } from '../../apps/maintenance/src/exports/export-maintenance.job';
import { MaintenanceJob, runJob, startMaintenance } from '../maintenance/support';
import { seedEvents, storedEvent, type SeedEvent } from '../query/seed';
import { expectedCells, HEADERS, ownerView } from './expected';
import { binary, dropExportQueue, ensureBuild } from './support';

const HOSTILE = ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\tTAB', '\rCR', 'plain, "quoted"\nline'];
const WEBHOOK_SECRET = 'w'.repeat(40);

/** XLSX cells hold the same text as CSV cells (CR is written as OOXML's `_x000D_`). */
const xlsxCells = expectedCells;

/** csv-parse, the standard reader: records as arrays of text, BOM skipped. */
function csvRows(bytes: Buffer): string[][] {
  const rows: unknown = parseCsv(bytes, { bom: true });
  return rows as string[][];
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  // Text cells are inline rich-text strings of one run.
  const rich = (value as { richText?: Array<{ text: string }> }).richText;
  if (rich) return rich.map((run) => run.text).join('');
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : JSON.stringify(value);
}

async function xlsxRows(buffer: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const rows: string[][] = [];
  for (const sheet of workbook.worksheets) {
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      if (number === 1) return;
      const values = (row.values as unknown[]).slice(1);
      rows.push(HEADERS.map((_, index) => cellText(values[index])));
    });
  }
  return rows;
}

describe('export API: streamed downloads and export jobs', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-exports-'));
  const setup = testEnvironment('export-api', undefined, {
    EXPORT_DIR: exportDir,
    EXPORT_STREAM_MAX_ROWS: '30',
    EXPORT_MAX_ROWS: '40',
    EXPORT_MAX_CONCURRENT_PER_COMPANY: '2',
    EXPORT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The webhook receiver below listens on loopback, which the egress policy refuses by default.
    EGRESS_ALLOWED_CIDRS: '127.0.0.0/8',
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    EXPORT_JOB_LOCK_SECONDS: '5',
  });
  const acme = ownerToken(setup.jwtSecret, 'acme');
  const globex = ownerToken(setup.jwtSecret, 'globex');
  const now = Date.now();
  let client: Client;
  let app: INestApplication;
  let worker: AppProcess | undefined;
  let buildDir: string;
  let acmeEvents: StoredEvent[];
  const hooks: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  let hookServer: Server;
  let hookUrl: string;

  beforeAll(async () => {
    client = testClient();
    const building = ensureBuild();
    // The app puts the index template in place; events seeded before it would get dynamic mappings.
    app = await startApp('export', ExportModule, setup.env);
    const seeds: SeedEvent[] = [];
    for (let index = 0; index < 45; index++) {
      const hostile = HOSTILE[index % HOSTILE.length];
      seeds.push({
        id: `e-${String(index).padStart(3, '0')}`,
        company_id: 'acme',
        timestamp: new Date(now - 60_000 - index * 1000).toISOString(),
        action: index % 2 === 0 ? 'flow.created' : 'auth.login',
        actor: { id: `u-${index}`, type: 'user', name: hostile, email: `u${index}@acme.example` },
        target: {
          type: 'environment',
          id: `env-${index}`,
          name: 'Prod',
          ancestors: [{ type: 'project', id: 'p-1', name: 'P' }],
        },
        description: hostile,
        context: { task_id: `t-${index}` },
        details: { nested: { value: index }, formula: '=HYPERLINK("x")' },
        changes: [{ field: 'state', before: 'a', after: 'b' }],
        source: { tool: 'console', ip: '10.0.0.1' },
      });
    }
    for (let index = 0; index < 5; index++) {
      seeds.push({
        id: `g-${index}`,
        company_id: 'globex',
        timestamp: new Date(now - 30_000 - index * 1000).toISOString(),
      });
    }
    await seedEvents(client, setup.indexPrefix, seeds);
    acmeEvents = seeds
      .filter((seed) => seed.company_id === 'acme')
      .map((seed) => storedEvent(seed))
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp));
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
    buildDir = await building;
  }, 600_000);

  afterAll(async () => {
    await stopProcess(worker);
    await app?.close();
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    hookServer?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  }, 60_000);

  const since = () => new Date(now - 3_600_000).toISOString();
  /** The 21 newest acme events: flow.created only. */
  const flowFilters = () => ({ from: since(), action: 'flow.created' });
  const flowEvents = () => acmeEvents.filter((event) => event.action === 'flow.created');

  describe('GET /v1/exports/stream', () => {
    const stream = (format: string, token = acme, extra: Record<string, string> = {}) =>
      request(app.getHttpServer())
        .get('/v1/exports/stream')
        .query({ format, ...flowFilters(), ...extra })
        .set('authorization', `Bearer ${token}`)
        .buffer(true)
        .parse(binary);

    it('CSV parses to exactly the matching events, in order, neutralised', async () => {
      const response = await stream('csv');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename=".+\.csv"$/);
      const rows = csvRows(response.body as Buffer);
      expect(rows[0]).toEqual(HEADERS);
      expect(rows.slice(1)).toEqual(flowEvents().map(expectedCells));
      const names = rows.slice(1).map((row) => row[HEADERS.indexOf('actor.name')]);
      expect(names).toEqual(expect.arrayContaining(["'=1+2", "'-2+3", "'\tTAB", "'\rCR"]));
    });

    it('JSON and NDJSON are the events whole, in order', async () => {
      const json = await stream('json');
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse((json.body as Buffer).toString('utf8'))).toEqual(
        flowEvents().map(ownerView),
      );
      const ndjson = await stream('ndjson');
      const lines = (ndjson.body as Buffer).toString('utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(flowEvents().map(ownerView));
    });

    it('XLSX reads back as the same cells, neutralised', async () => {
      const response = await stream('xlsx');
      expect(response.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(await xlsxRows(response.body as Buffer)).toEqual(flowEvents().map(xlsxCells));
    });

    it('answers 413 with a hint to create a job when more events match than allowed', async () => {
      const response = await request(app.getHttpServer())
        .get('/v1/exports/stream')
        .query({ format: 'csv', from: since() })
        .set('authorization', `Bearer ${acme}`);
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 413, limit: 30 });
      // 45 seeded events plus the audit_log.exported events of the downloads above.
      expect(response.body.matching).toBeGreaterThanOrEqual(45);
      expect(response.body.hint).toContain('POST /v1/exports');
    });

    it.each([
      [{ format: 'pdf' }, 'format'],
      [{ action: 'Bad Action' }, 'action'],
      [{ unknown: '1' }, 'unknown'],
    ])('rejects %j with 400 naming %s', async (query, field) => {
      const response = await request(app.getHttpServer())
        .get('/v1/exports/stream')
        .query(query)
        .set('authorization', `Bearer ${acme}`);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(field);
    });

    it('needs a token and never shows another company', async () => {
      expect((await request(app.getHttpServer()).get('/v1/exports/stream')).status).toBe(401);
      const response = await stream('ndjson', globex);
      const lines = (response.body as Buffer).toString('utf8').trimEnd().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as StoredEvent).id)).toEqual([
        'g-0',
        'g-1',
        'g-2',
        'g-3',
        'g-4',
      ]);
      const forbidden = await stream('csv', acme, { company_id: 'globex' });
      expect(forbidden.status).toBe(403);
    });
  });

  describe('export jobs', () => {
    const create = (body: Record<string, unknown>, token = acme) =>
      request(app.getHttpServer())
        .post('/v1/exports')
        .set('authorization', `Bearer ${token}`)
        .send(body);
    const read = (id: string, token = acme) =>
      request(app.getHttpServer()).get(`/v1/exports/${id}`).set('authorization', `Bearer ${token}`);
    const download = (id: string, token = acme) =>
      request(app.getHttpServer())
        .get(`/v1/exports/${id}/download`)
        .set('authorization', `Bearer ${token}`)
        .buffer(true)
        .parse(binary);
    const completed = (id: string) =>
      waitFor(
        async () => {
          const { body } = await read(id);
          if (body.status === 'failed') throw new Error(`export failed: ${body.error}`);
          return body.status === 'completed' ? (body as Record<string, unknown>) : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );

    it.each([
      [{}, 'name'],
      [{ name: 'x', format: 'pdf' }, 'format'],
      [{ name: 'x', format: 'csv', filters: { action: 'Bad' } }, 'filters.action'],
      [{ name: 'x', format: 'csv', filters: { nope: '1' } }, 'filters.nope'],
      [{ name: 'x', format: 'csv', extra: true }, 'extra'],
      [{ name: 'x', format: 'csv', webhook_url: 'ftp://x' }, 'webhook_url'],
    ])('rejects %j with 400 naming %s and stores nothing', async (body, field) => {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(field);
      const list = await request(app.getHttpServer())
        .get('/v1/exports')
        .set('authorization', `Bearer ${acme}`);
      expect(list.body.data).toEqual([]);
    });

    it('refuses an export larger than EXPORT_MAX_ROWS with 413', async () => {
      const response = await create({ name: 'all', format: 'csv', filters: { from: since() } });
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ status: 413, limit: 40 });
      expect(response.body.matching).toBeGreaterThanOrEqual(45);
    });

    it('limits queued and running jobs per company (429), then works them off', async () => {
      const body = { name: 'limit', format: 'ndjson', filters: flowFilters() };
      const first = await create(body, globex);
      const second = await create(body, globex);
      expect([first.status, second.status]).toEqual([202, 202]);
      const third = await create(body, globex);
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('30');
      worker = await startProcess('export-worker', setup.env, { cwd: buildDir });
      const done = await Promise.all(
        [first, second].map((response) =>
          waitFor(
            async () =>
              (await read(response.body.id as string, globex)).body.status === 'completed',
            { timeoutMs: 60_000, intervalMs: 250 },
          ),
        ),
      );
      expect(done).toEqual([true, true]);
    }, 120_000);

    it.each(['csv', 'json', 'ndjson', 'xlsx'])(
      'writes a %s file equal to the matching events, with rows, bytes and sha256',
      async (format) => {
        const created = await create({ name: `flows ${format}`, format, filters: flowFilters() });
        expect(created.status).toBe(202);
        expect(created.body).toEqual({ id: expect.stringMatching(/^exp_/), status: 'queued' });
        const record = await completed(created.body.id as string);
        const file = await download(created.body.id as string);
        expect(file.status).toBe(200);
        const bytes = file.body as Buffer;
        expect(record).toMatchObject({
          rows: flowEvents().length,
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          progress: 100,
          format,
          name: `flows ${format}`,
          error: null,
        });
        expect(Date.parse(record.expires_at as string)).toBeGreaterThan(
          Date.now() + 6 * 86_400_000,
        );
        expect(file.headers['content-disposition']).toContain(`.${format}"`);
        const expected = flowEvents();
        if (format === 'csv') {
          const rows = csvRows(bytes);
          expect(rows).toEqual([HEADERS, ...expected.map(expectedCells)]);
        } else if (format === 'json') {
          expect(JSON.parse(bytes.toString('utf8'))).toEqual(expected.map(ownerView));
        } else if (format === 'ndjson') {
          const lines = bytes.toString('utf8').trimEnd().split('\n');
          expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(expected.map(ownerView));
        } else {
          expect(await xlsxRows(bytes)).toEqual(expected.map(xlsxCells));
        }
      },
      90_000,
    );

    it('lists the history with every field, and records audit_log.exported', async () => {
      const { body } = await request(app.getHttpServer())
        .get('/v1/exports')
        .set('authorization', `Bearer ${acme}`);
      expect(body.data.length).toBe(4);
      for (const entry of body.data) {
        expect(Object.keys(entry).sort()).toEqual(
          [
            'id',
            'name',
            'format',
            'filters',
            'status',
            'progress',
            'rows',
            'bytes',
            'sha256',
            'created_at',
            'completed_at',
            'expires_at',
            'error',
            'company_id',
            'webhook_url',
            'include_integrity',
            'integrity_files',
          ].sort(),
        );
        expect(entry.filters).toMatchObject({ action: 'flow.created' });
      }
      const audits = await waitFor(async () => {
        const docs = await storedDocuments<StoredEvent>(client, setup.indexPrefix);
        const found = docs.filter(
          (doc) => doc.action === 'audit_log.exported' && doc.company_id === 'acme',
        );
        return found.length >= 4 + 4 ? found : undefined;
      });
      expect(audits.map((audit) => (audit.details as { kind: string }).kind)).toEqual(
        expect.arrayContaining(['stream', 'job', 'download']),
      );
    });

    it('keeps company B away from company A exports: 404 for read, download and cancel', async () => {
      const created = await create({ name: 'secret', format: 'csv', filters: flowFilters() });
      const id = created.body.id as string;
      await completed(id);
      const list = await request(app.getHttpServer())
        .get('/v1/exports')
        .set('authorization', `Bearer ${globex}`);
      expect(list.body.data.map((entry: { id: string }) => entry.id)).not.toContain(id);
      expect((await read(id, globex)).status).toBe(404);
      expect((await download(id, globex)).status).toBe(404);
      const cancel = await request(app.getHttpServer())
        .delete(`/v1/exports/${id}`)
        .set('authorization', `Bearer ${globex}`);
      expect(cancel.status).toBe(404);
      expect((await read(id)).body.status).toBe('completed');
      const admin = await read(id, adminToken(setup.jwtSecret)).query({ company_id: 'acme' });
      expect(admin.body.id).toBe(id);
    });

    it('DELETE removes a finished file (expired), and a download then answers 409', async () => {
      const created = await create({ name: 'to delete', format: 'csv', filters: flowFilters() });
      const id = created.body.id as string;
      await completed(id);
      const removed = await request(app.getHttpServer())
        .delete(`/v1/exports/${id}`)
        .set('authorization', `Bearer ${acme}`);
      expect(removed.status).toBe(200);
      expect(removed.body.status).toBe('expired');
      expect(fs.readdirSync(exportDir).filter((name) => name.startsWith(id))).toEqual([]);
      expect((await download(id)).status).toBe(409);
    });

    it("expires files after EXPORT_RETENTION in the maintenance worker's cleanup", async () => {
      const created = await create({ name: 'old', format: 'json', filters: flowFilters() });
      const id = created.body.id as string;
      await completed(id);
      expect(fs.existsSync(path.join(exportDir, `${id}.json`))).toBe(true);
      // The cleanup runs in the maintenance worker, not in the export API.
      const maintenance = await startMaintenance({
        ...setup.env,
        RETENTION_SWEEP_INTERVAL_SECONDS: '0',
      });
      let result: MaintenanceResult;
      try {
        result = await runJob<MaintenanceResult>(
          maintenance,
          MaintenanceJob.maintainExports,
          new Date(Date.now() + 8 * 86_400_000),
        );
      } finally {
        await maintenance.close();
      }
      expect(result.expired).toContain(id);
      expect(fs.existsSync(path.join(exportDir, `${id}.json`))).toBe(false);
      expect((await read(id)).body.status).toBe('expired');
    });

    it('POSTs a signed webhook when a job completes', async () => {
      const created = await create({
        name: 'hooked',
        format: 'ndjson',
        filters: flowFilters(),
        webhook_url: hookUrl,
      });
      const id = created.body.id as string;
      await completed(id);
      const hook = await waitFor(() =>
        Promise.resolve(hooks.find((entry) => entry.body.includes(id))),
      );
      const timestamp = hook.headers['x-auditlog-timestamp'] as string;
      const expected = createHmac('sha256', WEBHOOK_SECRET)
        .update(`${timestamp}.${hook.body}`)
        .digest('hex');
      expect(hook.headers['x-auditlog-signature']).toBe(`v1=${expected}`);
      expect(hook.headers['x-auditlog-event']).toBe('export.completed');
      expect(JSON.parse(hook.body)).toMatchObject({
        event: 'export.completed',
        export: { id, status: 'completed', rows: flowEvents().length },
      });
    });
  });
});
