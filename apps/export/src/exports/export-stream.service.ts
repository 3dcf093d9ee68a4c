import type { Writable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type { EventFilters, StoredEvent } from '@auditlog/events';
import { EventScanner } from '@auditlog/storage';
import type { EventView } from '../format/columns';
import type { ExportFormat } from '../format/row-writer';
import { createRowWriter } from '../format/writer-factory';
import { tooManyRows } from './exports.service';

/** Strips fields the reader may not see: `scope` always, `ingest` unless admin. */
export function viewOf(admin: boolean): (stored: StoredEvent) => EventView {
  return admin
    ? ({ scope: _scope, ...event }) => event
    : ({ scope: _scope, ingest: _ingest, ...event }) => event;
}

export interface WriteSummary {
  rows: number;
}

/**
 * Writes every event of a company matching the filters to `out` in one format, page by
 * page from a point in time. Shared by the streamed download and the export worker.
 */
@Injectable()
export class EventExportWriter {
  constructor(
    private readonly scanner: EventScanner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async write(
    out: Writable,
    companyId: string,
    filters: EventFilters,
    format: ExportFormat,
    admin: boolean,
    onBatch: (rows: number) => Promise<void> = () => Promise.resolve(),
    maxRows = Number.MAX_SAFE_INTEGER,
  ): Promise<WriteSummary> {
    const writer = createRowWriter(format, out, admin);
    const view = viewOf(admin);
    let rows = 0;
    for await (const batch of this.scanner.scan(companyId, filters, {
      batchSize: this.config.export.scanBatchSize,
    })) {
      rows += batch.length;
      if (rows > maxRows) throw new RowLimitExceededError(maxRows);
      await writer.writeBatch(batch.map(view));
      await onBatch(rows);
    }
    await writer.finish();
    return { rows };
  }
}

export class RowLimitExceededError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} events match (EXPORT_MAX_ROWS); narrow the filters`);
    this.name = 'RowLimitExceededError';
  }
}

/** Up-front check of the streamed download's size. */
export function checkStreamSize(matching: number, limit: number): void {
  if (matching > limit) {
    throw tooManyRows(
      matching,
      limit,
      'Create an export job instead: POST /v1/exports {"name", "format", "filters"}.',
    );
  }
}
