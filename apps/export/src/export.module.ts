import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { JwtAuthModule } from '@auditlog/auth';
import { PlatformModule } from '@auditlog/platform';

/** The export API; export endpoints and the worker arrive with the export feature. */
@Module({})
export class ExportModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ExportModule,
      imports: [PlatformModule.forRoot(config), JwtAuthModule],
    };
  }
}
