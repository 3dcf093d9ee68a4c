import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { DigestRepository } from '@auditlog/storage';
import { DigestJobService } from './digest-job.service';
import { IntegrityController } from './integrity.controller';
import { INTEGRITY_KEYS, loadIntegrityKeys } from './integrity-keys';
import { IntegrityVerifyService } from './integrity-verify.service';
import { ReceivedEventsReader } from './received-events.reader';

/**
 * Tamper evidence: the digest job, the verify and digests APIs and the public keys.
 * Scheduling comes from the ScheduleModule the host app registers.
 */
@Module({
  controllers: [IntegrityController],
  providers: [
    {
      provide: INTEGRITY_KEYS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadIntegrityKeys(config.integrity),
    },
    DigestRepository,
    ReceivedEventsReader,
    DigestJobService,
    IntegrityVerifyService,
  ],
  exports: [DigestJobService, IntegrityVerifyService],
})
export class IntegrityModule {}
