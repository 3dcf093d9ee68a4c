import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig, ConfigModule } from '@auditlog/config';
import { loggerParams } from '@auditlog/platform';
import { CATALOG_INDEX } from '@auditlog/catalog';
import { EXPORTS_INDEX } from '@auditlog/export-jobs';
import { OpenSearchModule, type OpenSearchOptions } from '@auditlog/opensearch';
import { COMPANIES_INDEX, RetentionModule } from '@auditlog/retention';
import { STREAMS_INDEX } from '@auditlog/streams';

/**
 * Storage setup only: no HTTP, no Redis. Its bootstrap runs OpenSearchSetupService for the
 * template and every metadata index, and RetentionSetupService for the ISM policies.
 */
@Module({})
export class SetupModule {
  /** The setup job creates every metadata index, ahead of the apps that own them. */
  static readonly opensearch: OpenSearchOptions = {
    owns: [COMPANIES_INDEX, EXPORTS_INDEX, CATALOG_INDEX, STREAMS_INDEX],
  };

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SetupModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        OpenSearchModule.forRoot(SetupModule.opensearch),
        RetentionModule,
      ],
    };
  }
}
