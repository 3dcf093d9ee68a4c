import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { JwtAuthModule, SessionController } from '@auditlog/auth';
import { OpenSearchHealth, OpenSearchModule, type OpenSearchOptions } from '@auditlog/opensearch';
import { TailModule } from '@auditlog/tail';
import { type CreateAppOptions, PlatformModule } from '@auditlog/platform';
import { EXPORT_OPENAPI } from './export.openapi';
import { RetentionModule } from '@auditlog/retention';
import { SelfAuditService } from '@auditlog/self-audit';
import { ExportAuditService } from './api/export-audit.service';
import { ExportDownloads } from './api/export-downloads.service';
import { EventExportWriter } from './format/event-export.writer';
import {
  EXPORTS_INDEX,
  ExportQueueCloser,
  exportQueueProvider,
  ExportRepository,
  ExportSlots,
} from '@auditlog/export-jobs';
import { ExportsController } from './api/exports.controller';
import { ExportsService } from './api/exports.service';

/** The export API: streamed downloads, export jobs (queued for the worker) and history. */
@Module({})
export class ExportModule {
  static readonly httpOptions: CreateAppOptions = { openapi: EXPORT_OPENAPI };
  /** The export API and its worker write the export history, so both create its index. */
  static readonly opensearch: OpenSearchOptions = { owns: [EXPORTS_INDEX] };

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ExportModule,
      imports: [
        PlatformModule.forRoot(config, { readiness: [OpenSearchHealth] }),
        OpenSearchModule.forRoot(ExportModule.opensearch),
        // The gap-free tail: fences this process's event writes, reads the tail (libs/tail).
        TailModule,
        RetentionModule,
        JwtAuthModule,
      ],
      controllers: [ExportsController, SessionController],
      providers: [
        exportQueueProvider,
        ExportQueueCloser,
        ExportRepository,
        ExportSlots,
        ExportsService,
        EventExportWriter,
        ExportAuditService,
        ExportDownloads,
        SelfAuditService,
      ],
    };
  }
}
