import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { IngestAuthModule } from '@auditlog/auth';
import { ActionCatalogRepository, CATALOG_INDEX } from '@auditlog/catalog';
import { OpenSearchHealth, OpenSearchModule, type OpenSearchOptions } from '@auditlog/opensearch';
import { TailModule } from '@auditlog/tail';
import { type CreateAppOptions, PlatformModule } from '@auditlog/platform';
import { RetentionModule } from '@auditlog/retention';
import { EventsController } from './events/events.controller';
import { SchemaController } from './events/schema.controller';
import { IngestService } from './events/ingest.service';
import { GroupCommitService } from './events/group-commit.service';
import { EventRequests } from './events/event-requests';
import { IngestLane } from './events/ingest-lane';
import { CatalogController } from './catalog/catalog.controller';
import { INGEST_OPENAPI } from './ingest.openapi';

@Module({})
export class IngestModule {
  /** Ingest reads its own bodies (gzip, NDJSON, limits after decompression); no ETags. */
  static readonly httpOptions: CreateAppOptions = {
    jsonBody: false,
    etag: false,
    openapi: INGEST_OPENAPI,
  };
  /** Producers register actions here, so ingest creates the catalog index. */
  static readonly opensearch: OpenSearchOptions = { owns: [CATALOG_INDEX] };

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        PlatformModule.forRoot(config, { readiness: [OpenSearchHealth] }),
        OpenSearchModule.forRoot(IngestModule.opensearch),
        // The gap-free tail: fences this process's event writes, reads the tail (libs/tail).
        TailModule,
        RetentionModule,
        IngestAuthModule,
      ],
      controllers: [EventsController, CatalogController, SchemaController],
      providers: [
        IngestService,
        GroupCommitService,
        ActionCatalogRepository,
        EventRequests,
        IngestLane,
      ],
    };
  }
}
