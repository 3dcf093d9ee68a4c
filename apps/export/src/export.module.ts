import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { JwtAuthModule, SessionController } from '@auditlog/auth';
import { OpenSearchHealth, OpenSearchModule, type OpenSearchOptions } from '@auditlog/opensearch';
import { PlatformModule } from '@auditlog/platform';
import { RetentionModule } from '@auditlog/retention';
import { SelfAuditService } from '@auditlog/self-audit';
import { ExportAuditService } from './exports/export-audit.service';
import { EventExportWriter } from './exports/export-stream.service';
import {
  EXPORTS_INDEX,
  ExportQueueCloser,
  exportQueueProvider,
  ExportRepository,
} from '@auditlog/export-jobs';
import { ExportsController } from './exports/exports.controller';
import { ExportsService } from './exports/exports.service';

/** The export API: streamed downloads, export jobs (queued for the worker) and history. */
@Module({})
export class ExportModule {
  /** The export API and its worker write the export history, so both create its index. */
  static readonly opensearch: OpenSearchOptions = { owns: [EXPORTS_INDEX] };

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ExportModule,
      imports: [
        PlatformModule.forRoot(config, { readiness: [OpenSearchHealth] }),
        OpenSearchModule.forRoot(ExportModule.opensearch),
        RetentionModule,
        JwtAuthModule,
      ],
      controllers: [ExportsController, SessionController],
      providers: [
        exportQueueProvider,
        ExportQueueCloser,
        ExportRepository,
        ExportsService,
        EventExportWriter,
        ExportAuditService,
        SelfAuditService,
      ],
    };
  }
}
