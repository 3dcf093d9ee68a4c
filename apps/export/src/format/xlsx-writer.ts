import type { Writable } from 'node:stream';
import type { EventView } from '@auditlog/events';
import { type Cell, type Column, row } from './columns';
import { CHUNK_CHARS, type RowWriter } from './row-writer';
import { ZipWriter } from './zip-writer';

/** Rows per worksheet in Excel, header included. */
export const XLSX_MAX_SHEET_ROWS = 1_048_576;

/** A literal `_xHHHH_` in the text, which readers would decode as an escape. */
const ESCAPE_LOOKALIKE = /_x[0-9A-Fa-f]{4}_/g;
/**
 * Characters XML 1.0 cannot hold (C0 controls but tab and LF, unpaired surrogates, U+FFFE/F),
 * plus CR, which XML readers turn into LF, and DEL, which some readers drop.
 */
const NOT_XML_TEXT =
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  /[\u0000-\u0008\u000b-\u001f\u007f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Cell text as OOXML stores it (ECMA-376 Part 1, §22.9.2.19 ST_Xstring): a character XML
 * cannot hold becomes `_xHHHH_`, and the `_` of a literal `_xHHHH_` becomes `_x005F_`, so
 * every reader decodes the original text.
 */
export function ooxmlText(text: string): string {
  return text
    .replace(ESCAPE_LOOKALIKE, (literal) => `_x005F_${literal.slice(1)}`)
    .replace(
      NOT_XML_TEXT,
      (char) => `_x${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
    );
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const SHEET_HEAD = `${XML_HEAD}<worksheet xmlns="${MAIN_NS}"><sheetData>`;
const SHEET_TAIL = '</sheetData></worksheet>';

const XML_SPECIAL = /[&<>]/g;
const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Text a reader would trim or fold unless it is marked `xml:space="preserve"`. */
const NEEDS_PRESERVE = /^\s|\s$|[\t\n]/;
/**
 * Whatever needs more than copying: markup, controls, surrogates, U+FFFE/F, a possible
 * `_xHHHH_`. Most cells have none of it (nor edge whitespace) and skip the passes above.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const NEEDS_WORK = /[\u0000-\u001f\u007f&<>\ud800-\udfff\ufffe\uffff]|_x/;
const SPACE = /\s/;

/** `A`, `B`, …, `Z`, `AA`, … for a 0-based column index. */
function columnName(index: number): string {
  let name = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26))
    name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  return name;
}

/**
 * One cell's XML at `ref`: numbers as values, text as an inline string (no shared-string
 * table to hold in memory). Text that needs OOXML escapes, entities or `xml:space="preserve"`
 * (edge whitespace, a tab or a line break) is one rich-text run, because readers such as
 * exceljs decode `_xHHHH_` escapes in runs only; other text is a plain `<is><t>`, which every
 * reader takes as it is. Empty text is no cell at all.
 */
export function xlsxCell(ref: string, value: Cell): string {
  if (typeof value === 'number') return `<c r="${ref}"><v>${value}</v></c>`;
  if (value === '') return '';
  if (
    !NEEDS_WORK.test(value) &&
    !SPACE.test(value.charAt(0)) &&
    !SPACE.test(value.charAt(value.length - 1))
  )
    return `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
  const text = ooxmlText(value).replace(XML_SPECIAL, (char) => XML_ENTITY[char] ?? char);
  const space = NEEDS_PRESERVE.test(text) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}" t="inlineStr"><is><r><t${space}>${text}</t></r></is></c>`;
}

/**
 * Streaming XLSX: an own SpreadsheetML writer over a streaming ZIP (ADR 0150). A page of
 * rows becomes sheet XML in pieces of about CHUNK_CHARS, each deflated and written with
 * backpressure, so memory stays flat however many rows come. A sheet that would pass
 * Excel's row limit is closed and the next one ("events 2", …) starts with the header again.
 * Text cells only (timestamps are ISO 8601 UTC text), except `schema_version`.
 */
export class XlsxWriter implements RowWriter {
  readonly readsColumnsOnly = true;
  private readonly zip: ZipWriter;
  private readonly letters: readonly string[];
  private readonly dataRowsPerSheet: number;
  private sheets = 0;
  private rowsInSheet = 0;

  constructor(
    out: Writable,
    private readonly columns: readonly Column[],
    maxSheetRows = XLSX_MAX_SHEET_ROWS,
  ) {
    this.zip = new ZipWriter(out);
    this.letters = columns.map((_, index) => columnName(index));
    this.dataRowsPerSheet = maxSheetRows - 1;
  }

  async writeBatch(events: readonly EventView[]): Promise<void> {
    if (this.sheets === 0) await this.nextSheet();
    let xml = '';
    for (const event of events) {
      if (this.rowsInSheet >= this.dataRowsPerSheet) {
        await this.zip.write(Buffer.from(xml + SHEET_TAIL));
        xml = '';
        await this.zip.endEntry();
        await this.nextSheet();
      }
      this.rowsInSheet += 1;
      xml += this.rowXml(this.rowsInSheet + 1, row(event, this.columns));
      if (xml.length >= CHUNK_CHARS) {
        await this.zip.write(Buffer.from(xml));
        xml = '';
      }
    }
    if (xml) await this.zip.write(Buffer.from(xml));
  }

  async finish(): Promise<void> {
    if (this.sheets === 0) await this.nextSheet();
    await this.zip.write(Buffer.from(SHEET_TAIL));
    await this.zip.endEntry();
    const sheets = Array.from({ length: this.sheets }, (_, index) => index + 1);
    await this.zip.addEntry(
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        sheets
          .map(
            (n) =>
              `<Override PartName="/xl/worksheets/sheet${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '</Types>',
    );
    await this.zip.addEntry(
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="${PACKAGE_REL_NS}">` +
        `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
        '</Relationships>',
    );
    await this.zip.addEntry(
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
        sheets
          .map((n) => `<sheet name="${sheetName(n)}" sheetId="${n}" r:id="rId${n}"/>`)
          .join('') +
        '</sheets></workbook>',
    );
    await this.zip.addEntry(
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PACKAGE_REL_NS}">` +
        sheets
          .map(
            (n) =>
              `<Relationship Id="rId${n}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${n}.xml"/>`,
          )
          .join('') +
        `<Relationship Id="rId${this.sheets + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
        '</Relationships>',
    );
    await this.zip.addEntry('xl/styles.xml', STYLES);
    await this.zip.finish();
  }

  private rowXml(number: number, cells: readonly Cell[]): string {
    let xml = `<row r="${number}">`;
    cells.forEach((value, index) => {
      xml += xlsxCell(`${this.letters[index] ?? columnName(index)}${number}`, value);
    });
    return `${xml}</row>`;
  }

  private async nextSheet(): Promise<void> {
    this.sheets += 1;
    this.rowsInSheet = 0;
    await this.zip.startEntry(`xl/worksheets/sheet${this.sheets}.xml`);
    const header = this.rowXml(
      1,
      this.columns.map((column) => column.header),
    );
    await this.zip.write(Buffer.from(SHEET_HEAD + header));
  }
}

/** "events", "events 2", … */
function sheetName(number: number): string {
  return number === 1 ? 'events' : `events ${number}`;
}

/** The one default style Excel expects a workbook to have. */
const STYLES =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';
