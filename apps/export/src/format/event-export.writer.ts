import type { Writable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type EventFilters, viewFor } from '@auditlog/events';
import { EventScanner } from '@auditlog/opensearch';
import type { ExportFormat } from '@auditlog/export-jobs';
import { createRowWriter } from './writer-factory';

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
    const view = writer.readsColumnsOnly ? undefined : viewFor(admin);
    let rows = 0;
    for await (const batch of this.scanner.scan(companyId, filters, {
      batchSize: this.config.export.scanBatchSize,
    })) {
      rows += batch.length;
      if (rows > maxRows) throw new RowLimitExceededError(maxRows);
      await writer.writeBatch(view ? batch.map(view) : batch);
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
