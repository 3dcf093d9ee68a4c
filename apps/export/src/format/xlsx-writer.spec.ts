import ExcelJS from 'exceljs';
import type { EventView } from '@auditlog/events';
import { OWNER_COLUMNS } from './columns';
import { xlsxCell, XlsxWriter } from './xlsx-writer';
import {
  collectStream as collect,
  readZipWithPython as readWithPython,
} from './zip-reader.testing';

const AT = '2026-06-01T00:00:00.000Z';
const BASE = {
  company_id: 'acme',
  action: 'flow.created',
  category: 'flow',
  outcome: 'success' as const,
};

/** Every odd row has markup in actor.name, every even row no name cell at all. */
const event = (index: number): EventView => ({
  ...BASE,
  id: `e-${index}`,
  timestamp: AT,
  received_at: AT,
  actor: { id: 'u', type: 'user', ...(index % 2 ? { name: 'a & <b>' } : {}) },
  schema_version: 1,
  hash: 'h',
});

async function xlsx(pages: number[], maxSheetRows: number): Promise<Buffer> {
  let next = 0;
  return collect(async (out) => {
    const writer = new XlsxWriter(out, OWNER_COLUMNS, maxSheetRows);
    for (const size of pages)
      await writer.writeBatch(Array.from({ length: size }, () => event(next++)));
    await writer.finish();
  });
}

async function sheets(bytes: Buffer): Promise<Array<{ name: string; ids: string[] }>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets.map((sheet) => {
    const ids: string[] = [];
    sheet.eachRow((row) => ids.push(row.getCell(1).text));
    return { name: sheet.name, ids };
  });
}

describe('xlsxCell', () => {
  const text = (inner: string) => `<c r="B7" t="inlineStr"><is>${inner}</is></c>`;
  it.each([
    ['plain', text('<t>plain</t>')],
    ['a_b x', text('<t>a_b x</t>')],
    [' edge', text('<r><t xml:space="preserve"> edge</t></r>')],
    ['edge\u00a0', text('<r><t xml:space="preserve">edge\u00a0</t></r>')],
    ['two\nlines', text('<r><t xml:space="preserve">two\nlines</t></r>')],
    ['a&b<c>', text('<r><t>a&amp;b&lt;c&gt;</t></r>')],
    ['_x0041_', text('<r><t>_x005F_x0041_</t></r>')],
    ['nul\u0000', text('<r><t>nul_x0000_</t></r>')],
    ['\ud83c\udf89', text('<r><t>\ud83c\udf89</t></r>')],
    ['', ''],
    [7, '<c r="B7"><v>7</v></c>'],
  ])('writes %j as %s', (value, xml) => {
    expect(xlsxCell('B7', value)).toBe(xml);
  });
});

describe('XlsxWriter sheets', () => {
  it.each([
    ['a page that ends exactly at the limit', [3, 3], ['events', 'events 2']],
    ['a limit inside a page', [5, 1], ['events', 'events 2']],
    ['several sheets from one page', [7], ['events', 'events 2', 'events 3']],
  ])('rolls over for %s', async (_case, pages, names) => {
    const bytes = await xlsx(pages, 4);
    const read = await sheets(bytes);
    expect(read.map((sheet) => sheet.name)).toEqual(names);
    const total = pages.reduce((sum, size) => sum + size, 0);
    const ids = Array.from({ length: total }, (_, index) => `e-${index}`);
    expect(read.map((sheet) => sheet.ids)).toEqual(
      names.map((_, index) => ['id', ...ids.slice(index * 3, index * 3 + 3)]),
    );
    expect(readWithPython(bytes).entries.map((entry) => entry.name)).toEqual([
      ...names.map((_, index) => `xl/worksheets/sheet${index + 1}.xml`),
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
    ]);
  });

  it('writes one sheet with the header when nothing matches', async () => {
    expect(await sheets(await xlsx([], 4))).toEqual([{ name: 'events', ids: ['id'] }]);
  });

  it('escapes markup, writes no cell for empty text and keeps later columns in place', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsx([2], 10)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const name = OWNER_COLUMNS.findIndex((column) => column.header === 'actor.name') + 1;
    const version = OWNER_COLUMNS.findIndex((column) => column.header === 'schema_version') + 1;
    expect(sheet?.getRow(2).getCell(name).value).toBeNull();
    expect(sheet?.getRow(3).getCell(name).text).toBe('a & <b>');
    expect(sheet?.getRow(2).getCell(version).value).toBe(1);
  });
});
