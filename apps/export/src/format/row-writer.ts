import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { EventView } from './columns';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function isExportFormat(value: unknown): value is ExportFormat {
  return (EXPORT_FORMATS as readonly unknown[]).includes(value);
}

/** Writes events of one export to a stream, batch by batch, honouring backpressure. */
export interface RowWriter {
  writeBatch(events: readonly EventView[]): Promise<void>;
  /** Writes the trailer; the caller ends the stream. */
  finish(): Promise<void>;
}

/** Writes a chunk and waits for `drain` when the stream's buffer is full. */
export async function put(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed) throw new Error('the output stream is closed');
  if (!out.write(chunk)) await once(out, 'drain');
}
