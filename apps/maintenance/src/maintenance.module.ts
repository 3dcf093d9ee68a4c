import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { loadIntegrityKeys } from '@auditlog/integrity';
import {
  ExportQueueCloser,
  exportQueueProvider,
  ExportRepository,
  ExportSlots,
} from '@auditlog/export-jobs';
import { DigestRepository } from '@auditlog/integrity-store';
import { OpenSearchModule } from '@auditlog/opensearch';
import { TailModule } from '@auditlog/tail';
import { PlatformModule } from '@auditlog/platform';
import { RetentionModule } from '@auditlog/retention';
import { ExportMaintenanceJob } from './exports/export-maintenance.job';
import { MaintenanceHealthServer } from './health/health.server';
import { DigestSealingService, INTEGRITY_KEYS } from './integrity/digest-sealing.service';
import { MaintenanceQueue } from './maintenance-queue.service';
import { MaintenanceProcessor } from './maintenance.processor';
import { RetentionSweepJob } from './retention/retention-sweep.job';
import { StreamRunner } from './streams/stream-runner.service';
import { StreamSenders } from './streams/stream-senders';
import { StreamTestProcessor } from './streams/stream-test.processor';
import { StreamRepository } from '@auditlog/streams';

/**
 * The maintenance worker: no public HTTP, one BullMQ worker running the background jobs
 * (digest sealing, retention sweep, export expiry and lost-job checks) that job schedulers
 * on the maintenance queue produce, the SIEM stream deliveries and their test deliveries,
 * plus an internal health port.
 */
@Module({})
export class MaintenanceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MaintenanceModule,
      imports: [
        PlatformModule.forRoot(config, { http: false }),
        OpenSearchModule.forRoot(),
        // The gap-free tail: fences this process's event writes, reads the tail (libs/tail).
        TailModule,
        RetentionModule,
      ],
      providers: [
        {
          provide: INTEGRITY_KEYS,
          inject: [APP_CONFIG],
          useFactory: (appConfig: AppConfig) => loadIntegrityKeys(appConfig.integrity),
        },
        DigestRepository,
        DigestSealingService,
        RetentionSweepJob,
        ExportRepository,
        exportQueueProvider,
        ExportQueueCloser,
        ExportSlots,
        ExportMaintenanceJob,
        MaintenanceQueue,
        MaintenanceProcessor,
        MaintenanceHealthServer,
        StreamRepository,
        StreamSenders,
        StreamRunner,
        StreamTestProcessor,
      ],
    };
  }
}
