import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { EventRepository } from './event.repository';
import { IndexNames } from './index-names';
import { createOpenSearchClient, OPENSEARCH_CLIENT } from './opensearch.client';
import { StorageSetupService } from './storage-setup.service';
import { IndexRouter } from './index-router';
import { SelfAuditService } from './self-audit.service';
import { CompanySettingsService } from './company-settings.service';
import { EventIndexCatalog } from './event-index.catalog';
import { IsmService } from './ism.service';
import { RetentionSweeper } from './retention-sweeper';
import { StorageStatusService } from './storage-status.service';
import { EventScanner } from './event-scanner';
import { ActionCatalogRepository } from './catalog/action-catalog.repository';

const SERVICES = [
  StorageSetupService,
  EventRepository,
  IndexRouter,
  SelfAuditService,
  CompanySettingsService,
  EventIndexCatalog,
  IsmService,
  RetentionSweeper,
  StorageStatusService,
  EventScanner,
  ActionCatalogRepository,
];

@Global()
@Module({
  providers: [
    {
      provide: OPENSEARCH_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createOpenSearchClient(config.opensearch),
    },
    {
      provide: IndexNames,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new IndexNames(config.opensearch.indexPrefix),
    },
    ...SERVICES,
  ],
  exports: [OPENSEARCH_CLIENT, IndexNames, ...SERVICES],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(OPENSEARCH_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
