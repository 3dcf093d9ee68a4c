import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { DigestRepository } from '@auditlog/integrity-store';
import { IntegrityController } from './integrity.controller';
import { INTEGRITY_KEYS, loadIntegrityKeys } from './integrity-keys';
import { IntegrityVerifyService } from './integrity-verify.service';

/**
 * Tamper evidence, read side: the verify and digests APIs and the public keys. Digests are
 * sealed by the maintenance worker (apps/maintenance); the query app may not write them.
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
    IntegrityVerifyService,
  ],
  exports: [IntegrityVerifyService],
})
export class IntegrityModule {}
