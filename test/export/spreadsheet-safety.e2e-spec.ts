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
  stopProcess,
  testClient,
  testEnvironment,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { seedEvents, type SeedEvent } from '../query/seed';
import { HEADERS } from './expected';
import { CALC_CSV_EXPORT, convertWithLibreOffice, HOSTILE_CSV_IMPORT } from './libreoffice';
import { binary, dropExportQueue, ensureBuild, exportCompleted } from './support';

/**
 * Text cells a spreadsheet could turn into formulas or alter: formula triggers, triggers hidden
 * behind whitespace a reader trims, characters XML 1.0 cannot hold, OOXML escape look-alikes.
 */
const HOSTILE: readonly string[] = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(1,1)',
  '=HYPERLINK("http://example.invalid/","click")',
  "=cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  '\n=1+1',
  '\r\n=1+1',
  ' =1+1',
  '   +1+1',
  ' \n -1+1',
  '\u00a0=1+1',
  '\u200b=1+1',
  '\u0000=1+1',
  '\u0001@SUM(1,1)',
  '\uff1d1+1',
  'a\u0000b',
  'bell\u0007 and escape\u001b',
  '_x0041_',
  '_x005F_x0041_',
  'tail _x000D_',
  '  padded both ends  ',
  'inner\ttab  and  double spaces',
  'line 1\nline 2\r\nline 3',
  'unicode: Grüße, 日本語, 🎉, \u202e',
  '1+1',
  'plain text',
];

/** docs/export.md, restated: the apostrophe goes before a trigger a reader sees after trimming. */
function neutralised(text: string): string {
  const risky =
    /^[\t\r]/.test(text) || /^[\s\p{Cc}\p{Cf}]*[=+\-@\uff1d\uff0b\uff0d\uff20]/u.test(text);
  return risky ? `'${text}` : text;
}

const DESCRIPTION = HEADERS.indexOf('description');
const ACTOR_NAME = HEADERS.indexOf('actor.name');

describe('spreadsheet safety: exports read by LibreOffice Calc', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadsheet-safety-'));
  const setup = testEnvironment('spreadsheet', undefined, {
    EXPORT_DIR: path.join(dir, 'exports'),
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
  });
  const acme = ownerToken(setup.jwtSecret, 'acme');
  const now = Date.now();
  let client: Client;
  let app: INestApplication;
  let worker: AppProcess | undefined;
  /** The exported files, by format, as downloaded. */
  const files = { csv: '', xlsx: '' };

  beforeAll(async () => {
    client = testClient();
    const buildDir = await ensureBuild();
    app = await startApp('export', ExportModule, setup.env);
    const seeds: SeedEvent[] = HOSTILE.map((text, index) => ({
      id: `h-${String(index).padStart(3, '0')}`,
      company_id: 'acme',
      // Oldest first: the export lists them in the table's order with sort=asc.
      timestamp: new Date(now - 120_000 + index * 1000).toISOString(),
      description: text,
      actor: { id: `u-${index}`, type: 'user', name: text },
    }));
    await seedEvents(client, setup.indexPrefix, seeds);
    worker = await startProcess('export-worker', setup.env, { cwd: buildDir });
    // Not the exports' own audit_log.exported events.
    const filters = {
      from: new Date(now - 600_000).toISOString(),
      action: 'flow.created',
      sort: 'asc',
    };
    for (const format of ['csv', 'xlsx'] as const) {
      const created = await request(app.getHttpServer())
        .post('/v1/exports')
        .set('authorization', `Bearer ${acme}`)
        .send({ name: `hostile ${format}`, format, filters });
      expect(created.status).toBe(202);
      const id = created.body.id as string;
      // Generous: the machine is shared, and a slow OpenSearch makes an attempt retry.
      await exportCompleted(app.getHttpServer(), id, acme, 150_000);
      const file = await request(app.getHttpServer())
        .get(`/v1/exports/${id}/download`)
        .set('authorization', `Bearer ${acme}`)
        .buffer(true)
        .parse(binary);
      expect(file.status).toBe(200);
      files[format] = path.join(dir, `hostile.${format}`);
      fs.writeFileSync(files[format], file.body as Buffer);
    }
  }, 360_000);

  afterAll(async () => {
    await stopProcess(worker);
    await app?.close();
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Calc's CSV export of what it read: a formula would show its result here, e.g. `2`. */
  const calcCsv = async (file: string, infilter?: string): Promise<string[][]> => {
    const converted = await convertWithLibreOffice(file, CALC_CSV_EXPORT, dir, { infilter });
    const rows: unknown = parseCsv(fs.readFileSync(converted), { bom: true });
    return rows as string[][];
  };
  const column = (rows: string[][], index: number) => rows.slice(1).map((row) => row[index]);

  it('CSV: imported with "evaluate formulas" on, every cell stays text, neutralised', async () => {
    const rows = await calcCsv(files.csv, HOSTILE_CSV_IMPORT);
    expect(rows[0]).toEqual(HEADERS);
    // Calc keeps a CSV field's apostrophe as text; it drops NUL and stores line breaks as LF.
    const expected = HOSTILE.map((text) =>
      neutralised(text).replace(/\r\n?/g, '\n').replaceAll('\u0000', ''),
    );
    expect(column(rows, DESCRIPTION)).toEqual(expected);
    expect(column(rows, ACTOR_NAME)).toEqual(expected);
  }, 150_000);

  it('XLSX: read by Calc, every text cell survives whole, neutralised', async () => {
    const rows = await calcCsv(files.xlsx);
    expect(rows[0]).toEqual(HEADERS);
    // Calc reads a CR LF pair as one line break.
    const expected = HOSTILE.map((text) => neutralised(text).replace(/\r\n/g, '\n'));
    expect(column(rows, DESCRIPTION)).toEqual(expected);
    expect(column(rows, ACTOR_NAME)).toEqual(expected);
  }, 150_000);
});
