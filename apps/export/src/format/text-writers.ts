import type { Writable } from 'node:stream';
import type { EventView } from '@auditlog/events';
import { type Cell, cell, type Column } from './columns';
import { CHUNK_CHARS, put, type RowWriter } from './row-writer';

/** RFC 4180 field: quoted when it holds a quote, comma, CR, LF or edge spaces. */
export function csvField(value: Cell): string {
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A character that is neither trimmed by a reader nor a space: printable ASCII. */
const printable = (code: number): boolean => code > 0x20 && code < 0x7f;

/** `=`, `+`, `-`, `@`: what a formula starts with (`FORMULA_RISK` in columns.ts). */
const formulaLead = (code: number): boolean =>
  code === 0x3d || code === 0x2b || code === 0x2d || code === 0x40;

const QUOTED_INSIDE = /[",\r\n]/;

/**
 * `csvField(cell(value))`, with a fast path for the usual text: one that starts with a
 * printable ASCII character other than a formula's lead and ends with one is neither
 * neutralised nor quoted unless it holds a quote, comma or line break.
 */
export function csvCell(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) {
    const first = value.charCodeAt(0);
    if (
      printable(first) &&
      !formulaLead(first) &&
      printable(value.charCodeAt(value.length - 1)) &&
      !QUOTED_INSIDE.test(value)
    )
      return value;
  }
  return csvField(cell(value));
}

function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** UTF-8 with a byte order mark (so spreadsheets detect UTF-8), CRLF lines, a header row. */
export class CsvWriter implements RowWriter {
  readonly readsColumnsOnly = true;
  private started = false;
  /** Rows not yet handed to the output: a batch may be smaller than a piece. */
  private chunk = '';

  constructor(
    private readonly out: Writable,
    private readonly columns: readonly Column[],
  ) {}

  async writeBatch(events: readonly EventView[]): Promise<void> {
    let chunk = this.chunk;
    this.chunk = '';
    if (!this.started) {
      chunk += `\uFEFF${csvLine(this.columns.map((column) => column.header))}`;
      this.started = true;
    }
    const [first, ...others] = this.columns;
    for (const event of events) {
      // Cell by cell onto the piece: no array of cells, no line string of its own.
      if (first) chunk += csvCell(first.value(event));
      for (const column of others) chunk += `,${csvCell(column.value(event))}`;
      chunk += '\r\n';
      if (chunk.length >= CHUNK_CHARS) {
        await put(this.out, chunk);
        chunk = '';
      }
    }
    this.chunk = chunk;
  }

  async finish(): Promise<void> {
    await this.writeBatch([]);
    if (this.chunk) await put(this.out, this.chunk);
    this.chunk = '';
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
