import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { EventView } from '@auditlog/events';
import { type Column, row } from './columns';
import type { RowWriter } from './row-writer';

/** Rows per worksheet in Excel, header included. */
export const XLSX_MAX_SHEET_ROWS = 1_048_576;

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
      this.sheet?.addRow(row(event, this.columns)).commit();
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
    this.sheet.addRow(this.columns.map((column) => column.header)).commit();
    this.rowsInSheet = 0;
  }
}
