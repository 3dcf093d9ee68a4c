import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { EventIndexCatalog } from './event-index.catalog';
import { EventRepository } from './event.repository';
import { EventScanner } from './event-scanner';
import { EventSearch } from './event-search';
import { IndexNames } from './index-names';
import { createOpenSearchClient, OPENSEARCH_CLIENT } from './opensearch.client';
import { OpenSearchHealth } from './opensearch.health';
import {
  OPENSEARCH_OPTIONS,
  type OpenSearchOptions,
  OpenSearchSetupService,
} from './opensearch-setup.service';
import { ReceivedEventsReader } from './received-events.reader';

const SERVICES = [
  OpenSearchSetupService,
  EventRepository,
  EventScanner,
  EventSearch,
  ReceivedEventsReader,
  EventIndexCatalog,
  OpenSearchHealth,
];

/**
 * The OpenSearch core: one client per process, index names, event writes and reads. The
 * client token stays exported for the libs' repositories; apps use those and the searches.
 */
@Global()
@Module({})
export class OpenSearchModule implements OnApplicationShutdown {
  constructor(@Inject(OPENSEARCH_CLIENT) private readonly client: Client) {}

  static forRoot(options: OpenSearchOptions = {}): DynamicModule {
    return {
      module: OpenSearchModule,
      providers: [
        { provide: OPENSEARCH_OPTIONS, useValue: options },
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
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
