import { PassThrough } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { EventView } from '@auditlog/events';
import { cell, neutralise, OWNER_COLUMNS } from './columns';
import { CsvWriter, csvField } from './text-writers';
import { XlsxWriter } from './xlsx-writer';

function event(index: number, name: string): EventView {
  return {
    id: `e-${index}`,
    timestamp: '2026-06-01T00:00:00.000Z',
    received_at: '2026-06-01T00:00:00.000Z',
    company_id: 'acme',
    action: 'flow.created',
    category: 'flow',
    actor: { id: 'u', type: 'user', name },
    outcome: 'success',
    details: { a: [1, 2] },
    schema_version: 1,
    hash: 'h',
  };
}

async function collect(write: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => out.on('end', resolve));
  await write(out);
  out.end();
  await ended;
  return Buffer.concat(chunks);
}

describe('cell rules', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['a=1', 'a=1'],
    ['', ''],
  ])('neutralises %j as %j', (input, output) => {
    expect(neutralise(input)).toBe(output);
  });

  it('keeps numbers, empties absent values and writes nested values as compact JSON', () => {
    expect(cell(-5)).toBe(-5);
    expect(cell(undefined)).toBe('');
    expect(cell({ a: '=x' })).toBe('{"a":"=x"}');
    expect(cell(['=x'])).toBe('["=x"]');
  });

  it('quotes CSV fields only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' edge')).toBe('" edge"');
  });
});

describe('CsvWriter', () => {
  it('writes a BOM, a header and one parsable record per event', async () => {
    const bytes = await collect(async (out) => {
      const writer = new CsvWriter(out, OWNER_COLUMNS);
      await writer.writeBatch([event(1, '=cmd'), event(2, 'a,"b"\r\nc')]);
      await writer.finish();
    });
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const parsed: unknown = parseCsv(bytes, { bom: true });
    const rows = parsed as string[][];
    expect(rows[0]).toEqual(OWNER_COLUMNS.map((column) => column.header));
    const [header = [], firstRow = []] = rows;
    const name = header.indexOf('actor.name');
    expect(rows.slice(1).map((row) => row[name])).toEqual(["'=cmd", 'a,"b"\r\nc']);
    expect(firstRow[header.indexOf('details')]).toBe('{"a":[1,2]}');
  });

  it('writes only the header when nothing matches', async () => {
    const bytes = await collect(async (out) => new CsvWriter(out, OWNER_COLUMNS).finish());
    expect(parseCsv(bytes, { bom: true })).toHaveLength(1);
  });
});

describe('XlsxWriter', () => {
  it('rolls over to a new sheet, header repeated, before the row limit', async () => {
    const bytes = await collect(async (out) => {
      const writer = new XlsxWriter(out, OWNER_COLUMNS, 4);
      await writer.writeBatch(Array.from({ length: 7 }, (_, index) => event(index, `n${index}`)));
      await writer.finish();
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'events',
      'events 2',
      'events 3',
    ]);
    const ids = workbook.worksheets.flatMap((sheet) => {
      const values: string[] = [];
      sheet.eachRow((row) => values.push(row.getCell(1).text));
      return values;
    });
    expect(ids).toEqual(['id', 'e-0', 'e-1', 'e-2', 'id', 'e-3', 'e-4', 'e-5', 'id', 'e-6']);
  });
});
