import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { EXPORTS_INDEX, ExportRepository, ExportSlots } from '@auditlog/export-jobs';
import { DigestRepository } from '@auditlog/integrity-store';
import { OpenSearchModule } from '@auditlog/opensearch';
import { TailModule } from '@auditlog/tail';
import { PlatformModule } from '@auditlog/platform';
import { RetentionModule } from '@auditlog/retention';
import { EventExportWriter } from '../format/event-export.writer';
import { ExportJobRunner } from './export-job.runner';
import { ExportProcessor } from './export.processor';
import { IntegrityBundleWriter } from './integrity-bundle.writer';

/** The export worker: no HTTP, one BullMQ worker writing export files. */
@Module({})
export class ExportWorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ExportWorkerModule,
      imports: [
        PlatformModule.forRoot(config, { http: false }),
        OpenSearchModule.forRoot({ owns: [EXPORTS_INDEX] }),
        // The gap-free tail: fences this process's event writes, reads the tail (libs/tail).
        TailModule,
        RetentionModule,
      ],
      providers: [
        ExportRepository,
        ExportSlots,
        EventExportWriter,
        DigestRepository,
        IntegrityBundleWriter,
        ExportJobRunner,
        ExportProcessor,
      ],
    };
  }
}
