import { PassThrough } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { EventView } from '@auditlog/events';
import { cell, neutralise, OWNER_COLUMNS } from './columns';
import { CsvWriter, csvField } from './text-writers';
import { ooxmlText, XlsxWriter } from './xlsx-writer';

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
    // What a reader trims before it looks at the first character.
    [' =1+1', "' =1+1"],
    ['\n=1+1', "'\n=1+1"],
    ['\r\n+1', "'\r\n+1"],
    ['\u0000=1+1', "'\u0000=1+1"],
    ['\u00a0\u200b@x', "'\u00a0\u200b@x"],
    ['\uff1d1+1', "'\uff1d1+1"],
    ['  plain', '  plain'],
    ['\n', '\n'],
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

describe('OOXML cell text', () => {
  it.each([
    ['plain', 'plain'],
    ['a\u0000b', 'a_x0000_b'],
    ['\r\n', '_x000D_\n'],
    ['tab\tand\nlf', 'tab\tand\nlf'],
    ['\u001b\u007f\ufffe', '_x001B__x007F__xFFFE_'],
    ['lone \ud800 and pair \ud83c\udf89', 'lone _xD800_ and pair \ud83c\udf89'],
    ['_x0041_', '_x005F_x0041_'],
    ['_x005f_ and _xZZZZ_', '_x005F_x005f_ and _xZZZZ_'],
  ])('encodes %j as %j', (input, output) => {
    expect(ooxmlText(input)).toBe(output);
  });
});

describe('XlsxWriter', () => {
  it('keeps every text as written: whitespace, line breaks, NUL, escape look-alikes', async () => {
    const names = [' =1+1', '\n-1', 'a\u0000b\r\nc', '_x0041_', '  both  ', 'in\tner  x'];
    const bytes = await collect(async (out) => {
      const writer = new XlsxWriter(out, OWNER_COLUMNS);
      await writer.writeBatch(names.map((name, index) => event(index, name)));
      await writer.finish();
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const column = OWNER_COLUMNS.findIndex((entry) => entry.header === 'actor.name') + 1;
    const read: string[] = [];
    workbook.worksheets[0]?.eachRow((row, number) => {
      if (number > 1) read.push(row.getCell(column).text);
    });
    expect(read).toEqual(names.map(neutralise));
  });

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
