import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { JwtAuthModule, SessionController } from '@auditlog/auth';
import { ActionCatalogRepository } from '@auditlog/catalog';
import { OpenSearchHealth, OpenSearchModule, type OpenSearchOptions } from '@auditlog/opensearch';
import { TailModule } from '@auditlog/tail';
import { type CreateAppOptions, PlatformModule } from '@auditlog/platform';
import { QUERY_OPENAPI } from './query.openapi';
import { COMPANIES_INDEX, RetentionModule } from '@auditlog/retention';
import { SelfAuditService } from '@auditlog/self-audit';
import { STREAMS_INDEX, StreamRepository } from '@auditlog/streams';
import { StreamsController } from './streams/streams.controller';
import { StreamsAdminService } from './streams/streams.service';
import { StreamTestService } from './streams/stream-test.service';
import { AdminController } from './admin/admin.controller';
import { ConsoleController } from './console/console.controller';
import { EventsController } from './events/events.controller';
import { TailController } from './tail/tail.controller';
import { TailService } from './tail/tail.service';
import { EventsQueryService } from './events/events-query.service';
import { QueryAuditService } from './events/query-audit.service';
import { IntegrityModule } from './integrity/integrity.module';
import { CatalogController } from './catalog/catalog.controller';
import { CatalogService } from './catalog/catalog.service';
import { CompanyDirectoryService } from './admin/company-directory.service';
import { EventCountsService } from './events/event-counts.service';
import { ViewerTokensController } from './viewer/viewer-tokens.controller';
import { ViewerTokensService } from './viewer/viewer-tokens.service';

@Module({})
export class QueryModule {
  static readonly httpOptions: CreateAppOptions = { openapi: QUERY_OPENAPI };
  /** Admins set company settings and streams here, so query creates those indices; it only reads the rest. */
  static readonly opensearch: OpenSearchOptions = { owns: [COMPANIES_INDEX, STREAMS_INDEX] };

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: QueryModule,
      imports: [
        PlatformModule.forRoot(config, { readiness: [OpenSearchHealth] }),
        OpenSearchModule.forRoot(QueryModule.opensearch),
        // The gap-free tail: fences this process's event writes, reads the tail (libs/tail).
        TailModule,
        RetentionModule,
        JwtAuthModule,
        IntegrityModule,
      ],
      controllers: [
        // Before EventsController, whose `v1/events/:id` would take `tail` for an id.
        TailController,
        EventsController,
        AdminController,
        ConsoleController,
        CatalogController,
        SessionController,
        ViewerTokensController,
        StreamsController,
      ],
      providers: [
        EventsQueryService,
        TailService,
        QueryAuditService,
        EventCountsService,
        CatalogService,
        CompanyDirectoryService,
        ViewerTokensService,
        ActionCatalogRepository,
        SelfAuditService,
        StreamRepository,
        StreamsAdminService,
        StreamTestService,
      ],
    };
  }
}
