import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ExportFormat } from '@auditlog/export-jobs';
import type { EventView } from '@auditlog/events';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Writes events of one export to a stream, batch by batch, honouring backpressure. */
export interface RowWriter {
  /**
   * True for the column formats (CSV, XLSX): they read their columns only, none of which is
   * a field the reader's view removes, so stored events go in without a view's copy.
   */
  readonly readsColumnsOnly?: boolean;
  writeBatch(events: readonly EventView[]): Promise<void>;
  /** Writes the trailer; the caller ends the stream. */
  finish(): Promise<void>;
}

/**
 * A page is handed to the output in pieces of about this many UTF-16 units, each written
 * with backpressure, so no page-sized string or Buffer is built. Below V8's large-object
 * size (128 KiB) even as two-byte text, so a piece dies young in a scavenge instead of
 * waiting in large-object space for a full collection (ADR 0151).
 */
export const CHUNK_CHARS = 60 * 1024;

/** Writes a chunk and waits for `drain` when the stream's buffer is full. */
export async function put(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed) throw new Error('the output stream is closed');
  if (!out.write(chunk)) await once(out, 'drain');
}
