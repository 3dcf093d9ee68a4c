import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig, ConfigModule } from '@auditlog/config';
import { loggerParams } from '@auditlog/platform';
import { StorageModule } from '@auditlog/storage';

/** Storage setup only: no HTTP, no Redis. Its bootstrap runs StorageSetupService. */
@Module({})
export class SetupModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SetupModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        StorageModule,
      ],
    };
  }
}
