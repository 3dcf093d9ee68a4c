import type { Writable } from 'node:stream';
import type { EventView } from '@auditlog/events';
import { type Cell, type Column, row } from './columns';
import { CHUNK_CHARS, put, type RowWriter } from './row-writer';

/** RFC 4180 field: quoted when it holds a quote, comma, CR, LF or edge spaces. */
export function csvField(value: Cell): string {
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** UTF-8 with a byte order mark (so spreadsheets detect UTF-8), CRLF lines, a header row. */
export class CsvWriter implements RowWriter {
  private started = false;

  constructor(
    private readonly out: Writable,
    private readonly columns: readonly Column[],
  ) {}

  async writeBatch(events: readonly EventView[]): Promise<void> {
    let chunk = '';
    if (!this.started) {
      chunk += `\uFEFF${csvLine(this.columns.map((column) => column.header))}`;
      this.started = true;
    }
    for (const event of events) {
      chunk += csvLine(row(event, this.columns));
      if (chunk.length >= CHUNK_CHARS) {
        await put(this.out, chunk);
        chunk = '';
      }
    }
    if (chunk) await put(this.out, chunk);
  }

  async finish(): Promise<void> {
    await this.writeBatch([]);
  }
}

/** One JSON array; events are kept whole. */
export class JsonWriter implements RowWriter {
  private count = 0;

  constructor(private readonly out: Writable) {}

  async writeBatch(events: readonly EventView[]): Promise<void> {
    if (events.length === 0) return;
    let chunk = this.count === 0 ? '[\n' : ',\n';
    chunk += events.map((event) => JSON.stringify(event)).join(',\n');
    this.count += events.length;
    await put(this.out, chunk);
  }

  async finish(): Promise<void> {
    await put(this.out, this.count === 0 ? '[]\n' : '\n]\n');
  }
}

/** One event per line. */
export class NdjsonWriter implements RowWriter {
  constructor(private readonly out: Writable) {}

  async writeBatch(events: readonly EventView[]): Promise<void> {
    if (events.length === 0) return;
    await put(this.out, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  }

  async finish(): Promise<void> {}
}
