import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { JwtAuthModule, SessionController } from '@auditlog/auth';
import { PlatformModule } from '@auditlog/platform';
import { ExportAuditService } from './exports/export-audit.service';
import { ExportQueueCloser, exportQueueProvider } from './exports/export-queue.provider';
import { EventExportWriter } from './exports/export-stream.service';
import { ExportRepository } from './exports/export.repository';
import { ExportsController } from './exports/exports.controller';
import { ExportsService } from './exports/exports.service';

/** The export API: streamed downloads, export jobs (queued for the worker) and history. */
@Module({})
export class ExportModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ExportModule,
      imports: [PlatformModule.forRoot(config), JwtAuthModule],
      controllers: [ExportsController, SessionController],
      providers: [
        exportQueueProvider,
        ExportQueueCloser,
        ExportRepository,
        ExportsService,
        EventExportWriter,
        ExportAuditService,
      ],
    };
  }
}
