import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  isAdmin,
  type Principal,
  principalRestrictions,
  RequirePermission,
  resolveCompany,
  restrictFilters,
} from '@auditlog/auth';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type AuditEvent, EVENT_ID_PATTERN, type EventFilters } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import { CompanyQuery, EventFiltersPipe } from '@auditlog/platform';
import { FacetsQuery, HistogramQuery, ListEventsQuery } from './events-query.dto';
import {
  ApiAuthProblems,
  ApiEventFilters,
  ApiNotFoundProblem,
  EVENT_SCHEMA,
  FACETS_SCHEMA,
  HISTOGRAM_SCHEMA,
  PAGE_SCHEMA,
} from './events.openapi';
import {
  type EventPage,
  EventsQueryService,
  type Facets,
  type Histogram,
  type ReadScope,
} from './events-query.service';
import { parseHistogramInterval } from './histogram-interval';
import { QueryAuditService } from './query-audit.service';

@ApiTags('events')
@ApiAuthProblems()
@Controller('v1/events')
@RequirePermission('view')
export class EventsController {
  constructor(
    private readonly events: EventsQueryService,
    private readonly audit: QueryAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List and search events of one company' })
  @ApiEventFilters()
  @ApiOkResponse({ schema: PAGE_SCHEMA })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(EventFiltersPipe) query: ListEventsQuery,
  ): Promise<EventPage> {
    const { scope, filters } = this.read(principal, query);
    const { params, cursor, limit = 100 } = query;
    const page = cursor
      ? this.events.continueFrom(cursor, scope, params, filters)
      : { filters, after: undefined };
    const result = await this.events.list(scope, page.filters, limit, params, page.after);
    this.audit.viewed(principal, scope.companyId, 'search', params);
    return result;
  }

  @Get('histogram')
  @ApiOperation({ summary: 'Event counts per time bucket for the same filters' })
  @ApiEventFilters()
  @ApiOkResponse({ schema: HISTOGRAM_SCHEMA })
  async histogram(
    @CurrentPrincipal() principal: Principal,
    @Query(EventFiltersPipe) query: HistogramQuery,
  ): Promise<Histogram> {
    const { scope, filters } = this.read(principal, query);
    const interval = parseHistogramInterval(
      query.interval,
      filters.from,
      filters.to,
      this.config.query.maxHistogramBuckets,
    );
    if (!interval.ok)
      throw ProblemException.badRequest('The interval is invalid.', interval.errors);
    const result = await this.events.histogram(scope, filters, interval.interval);
    this.audit.viewed(principal, scope.companyId, 'histogram', query.params);
    return result;
  }

  @Get('facets')
  @ApiOperation({ summary: 'Top values with counts of one keyword field for the same filters' })
  @ApiEventFilters()
  @ApiOkResponse({ schema: FACETS_SCHEMA })
  async facets(
    @CurrentPrincipal() principal: Principal,
    @Query(EventFiltersPipe) query: FacetsQuery,
  ): Promise<Facets> {
    const { scope, filters } = this.read(principal, query);
    const result = await this.events.facets(scope, filters, query.field, query.size ?? 10);
    this.audit.viewed(principal, scope.companyId, 'facets', query.params);
    return result;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event with all its fields' })
  @ApiOkResponse({ schema: EVENT_SCHEMA })
  @ApiNotFoundProblem('no such event in this company')
  async detail(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: CompanyQuery,
  ): Promise<AuditEvent> {
    const scope = this.scopeOf(principal, query.company_id);
    if (!EVENT_ID_PATTERN.test(id)) {
      throw new ProblemException(404, 'not-found', 'Not Found', 'No event with this id.');
    }
    const event = await this.events.detail(scope, id, principalRestrictions(principal));
    this.audit.viewed(principal, scope.companyId, 'detail', { id });
    return event;
  }

  private scopeOf(principal: Principal, companyId: string | undefined): ReadScope {
    return { companyId: resolveCompany(principal, companyId), admin: isAdmin(principal) };
  }

  private read(
    principal: Principal,
    query: ListEventsQuery | HistogramQuery | FacetsQuery,
  ): { scope: ReadScope; filters: EventFilters } {
    const scope = this.scopeOf(principal, query.company_id);
    // The fixed filters come from the principal, never from the request or a cursor.
    return { scope, filters: restrictFilters(principal, query.filters) };
  }
}
