import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { PlatformModule } from '@auditlog/platform';
import { DigestRepository } from '@auditlog/storage';
import { EventExportWriter } from '../exports/export-stream.service';
import { ExportRepository } from '../exports/export.repository';
import { ExportJobRunner } from './export-job.runner';
import { ExportProcessor } from './export.processor';
import { IntegrityBundleWriter } from './integrity-bundle.writer';

/** The export worker: no HTTP, one BullMQ worker writing export files. */
@Module({})
export class ExportWorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ExportWorkerModule,
      imports: [PlatformModule.forRoot(config, { http: false })],
      providers: [
        ExportRepository,
        EventExportWriter,
        DigestRepository,
        IntegrityBundleWriter,
        ExportJobRunner,
        ExportProcessor,
      ],
    };
  }
}
