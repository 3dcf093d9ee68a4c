import type { Writable } from 'node:stream';
import { ADMIN_COLUMNS, OWNER_COLUMNS } from './columns';
import type { ExportFormat } from '@auditlog/export-jobs';
import type { RowWriter } from './row-writer';
import { CsvWriter, JsonWriter, NdjsonWriter } from './text-writers';
import { XlsxWriter } from './xlsx-writer';

export function createRowWriter(
  format: ExportFormat,
  out: Writable,
  admin: boolean,
  maxSheetRows?: number,
): RowWriter {
  const columns = admin ? ADMIN_COLUMNS : OWNER_COLUMNS;
  switch (format) {
    case 'csv':
      return new CsvWriter(out, columns);
    case 'json':
      return new JsonWriter(out);
    case 'ndjson':
      return new NdjsonWriter(out);
    case 'xlsx':
      return new XlsxWriter(out, columns, maxSheetRows);
  }
}
