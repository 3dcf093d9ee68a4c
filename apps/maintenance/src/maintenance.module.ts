import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { loadIntegrityKeys } from '@auditlog/integrity';
import { PlatformModule } from '@auditlog/platform';
import { DigestRepository } from '@auditlog/storage';
import {
  ExportQueueCloser,
  exportQueueProvider,
} from '../../export/src/exports/export-queue.provider';
import { ExportRepository } from '../../export/src/exports/export.repository';
import { ReceivedEventsReader } from '../../query/src/integrity/received-events.reader';
import { ExportMaintenanceJob } from './exports/export-maintenance.job';
import { MaintenanceHealthServer } from './health/health.server';
import { DigestSealingService, INTEGRITY_KEYS } from './integrity/digest-sealing.service';
import { MaintenanceQueue } from './maintenance-queue.service';
import { MaintenanceProcessor } from './maintenance.processor';
import { RetentionSweepJob } from './retention/retention-sweep.job';

/**
 * The maintenance worker: no public HTTP, one BullMQ worker running the background jobs
 * (digest sealing, retention sweep, export expiry and lost-job checks) that job schedulers
 * on the maintenance queue produce, plus an internal health port.
 */
@Module({})
export class MaintenanceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MaintenanceModule,
      imports: [PlatformModule.forRoot(config, { http: false })],
      providers: [
        {
          provide: INTEGRITY_KEYS,
          inject: [APP_CONFIG],
          useFactory: (appConfig: AppConfig) => loadIntegrityKeys(appConfig.integrity),
        },
        DigestRepository,
        ReceivedEventsReader,
        DigestSealingService,
        RetentionSweepJob,
        ExportRepository,
        exportQueueProvider,
        ExportQueueCloser,
        ExportMaintenanceJob,
        MaintenanceQueue,
        MaintenanceProcessor,
        MaintenanceHealthServer,
      ],
    };
  }
}
