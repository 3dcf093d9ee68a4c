import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { EventView } from '@auditlog/events';
import { type Cell, type Column, row } from './columns';
import type { RowWriter } from './row-writer';

/** Rows per worksheet in Excel, header included. */
export const XLSX_MAX_SHEET_ROWS = 1_048_576;

/** A literal `_xHHHH_` in the text, which readers would decode as an escape. */
const ESCAPE_LOOKALIKE = /_x[0-9A-Fa-f]{4}_/g;
/**
 * Characters XML 1.0 cannot hold (C0 controls but tab and LF, unpaired surrogates, U+FFFE/F),
 * plus CR, which XML readers turn into LF, and DEL, which exceljs drops.
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

/**
 * A text cell as an inline rich-text string: exceljs then writes `<is><r><t>` with
 * `xml:space="preserve"` where the text has edge whitespace or a line break (its plain
 * strings are `<v>` values, whose whitespace readers trim). Empty text is no cell at all.
 */
function xlsxCell(value: Cell): ExcelJS.CellValue {
  if (typeof value === 'number') return value;
  return value === '' ? null : { richText: [{ text: ooxmlText(value) }] };
}

/**
 * Streaming XLSX (exceljs WorkbookWriter): rows are committed as they come, so memory
 * stays flat. A sheet that would pass Excel's row limit is closed and the next one
 * ("events 2", …) starts with the header again. Text cells only (timestamps are ISO 8601
 * UTC text), except `schema_version`.
 */
export class XlsxWriter implements RowWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private sheet?: ExcelJS.Worksheet;
  private sheets = 0;
  private rowsInSheet = 0;
  private readonly dataRowsPerSheet: number;

  constructor(
    out: Writable,
    private readonly columns: readonly Column[],
    maxSheetRows = XLSX_MAX_SHEET_ROWS,
  ) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: false,
      useSharedStrings: false,
    });
    this.dataRowsPerSheet = maxSheetRows - 1;
  }

  async writeBatch(events: readonly EventView[]): Promise<void> {
    if (!this.sheet) this.nextSheet();
    for (const event of events) {
      if (this.rowsInSheet >= this.dataRowsPerSheet) {
        this.sheet?.commit();
        this.nextSheet();
      }
      this.sheet?.addRow(row(event, this.columns).map(xlsxCell)).commit();
      this.rowsInSheet += 1;
    }
    // Let the zip stream flush what the committed rows produced.
    await new Promise((resolve) => setImmediate(resolve));
  }

  async finish(): Promise<void> {
    if (!this.sheet) this.nextSheet();
    this.sheet?.commit();
    await this.workbook.commit();
  }

  private nextSheet(): void {
    this.sheets += 1;
    this.sheet = this.workbook.addWorksheet(this.sheets === 1 ? 'events' : `events ${this.sheets}`);
    this.sheet.addRow(this.columns.map((column) => xlsxCell(column.header))).commit();
    this.rowsInSheet = 0;
  }
}
