import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import {
  type AuditEvent,
  EVENT_ID_PATTERN,
  type EventFilters,
  parseEventFilters,
  type QueryParams,
} from '@auditlog/events';
import { ProblemException, singleQueryParam } from '@auditlog/platform';
import {
  ApiAuthProblems,
  ApiCompanyParam,
  ApiEventFilters,
  ApiFacetParams,
  ApiHistogramParams,
  ApiPaging,
  EVENT_SCHEMA,
  FACETS_SCHEMA,
  HISTOGRAM_SCHEMA,
  PAGE_SCHEMA,
} from './events.openapi';
import {
  type EventPage,
  EventsQueryService,
  FACET_FIELDS,
  type Facets,
  type Histogram,
  type ReadScope,
} from './events-query.service';
import { parseHistogramInterval } from './histogram-interval';
import { QueryAuditService } from './query-audit.service';

function parseInteger(
  params: QueryParams,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = params[name];
  if (raw === undefined) return fallback;
  const value = Array.isArray(raw) || !/^\d{1,7}$/.test(raw) ? NaN : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const message = `${name} must be an integer from ${min} to ${max}`;
    throw ProblemException.badRequest(`${message}.`, [{ path: name, message }]);
  }
  return value;
}

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
  @ApiPaging()
  @ApiOkResponse({ schema: PAGE_SCHEMA })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() params: QueryParams,
  ): Promise<EventPage> {
    const { scope, filters } = this.read(principal, params, ['limit', 'cursor']);
    const limit = parseInteger(params, 'limit', 1, 1000, 100);
    const cursor = singleQueryParam(params, 'cursor');
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
  @ApiHistogramParams()
  @ApiOkResponse({ schema: HISTOGRAM_SCHEMA })
  async histogram(
    @CurrentPrincipal() principal: Principal,
    @Query() params: QueryParams,
  ): Promise<Histogram> {
    const { scope, filters } = this.read(principal, params, ['interval']);
    const interval = parseHistogramInterval(
      params.interval,
      filters.from,
      filters.to,
      this.config.query.maxHistogramBuckets,
    );
    if (!interval.ok)
      throw ProblemException.badRequest('The interval is invalid.', interval.errors);
    const result = await this.events.histogram(scope, filters, interval.interval);
    this.audit.viewed(principal, scope.companyId, 'histogram', params);
    return result;
  }

  @Get('facets')
  @ApiOperation({ summary: 'Top values with counts of one keyword field for the same filters' })
  @ApiEventFilters()
  @ApiFacetParams()
  @ApiOkResponse({ schema: FACETS_SCHEMA })
  async facets(
    @CurrentPrincipal() principal: Principal,
    @Query() params: QueryParams,
  ): Promise<Facets> {
    const { scope, filters } = this.read(principal, params, ['field', 'size']);
    const field = singleQueryParam(params, 'field');
    if (!field || !Object.hasOwn(FACET_FIELDS, field)) {
      const message = `field must be one of ${Object.keys(FACET_FIELDS).join(', ')}`;
      throw ProblemException.badRequest(`${message}.`, [{ path: 'field', message }]);
    }
    const size = parseInteger(params, 'size', 1, 100, 10);
    const result = await this.events.facets(scope, filters, field, size);
    this.audit.viewed(principal, scope.companyId, 'facets', params);
    return result;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event with all its fields' })
  @ApiCompanyParam()
  @ApiOkResponse({ schema: EVENT_SCHEMA })
  @ApiNotFoundResponse({ description: 'application/problem+json: no such event in this company' })
  async detail(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() params: QueryParams,
  ): Promise<AuditEvent> {
    const unknown = Object.keys(params).filter((name) => name !== 'company_id');
    if (unknown.length > 0) {
      throw ProblemException.badRequest(
        `Unknown query parameters: ${unknown.join(', ')}.`,
        unknown.map((name) => ({ path: name, message: `unknown query parameter: ${name}` })),
      );
    }
    const scope = this.scopeOf(principal, params);
    if (!EVENT_ID_PATTERN.test(id)) {
      throw new ProblemException(404, 'not-found', 'Not Found', 'No event with this id.');
    }
    const event = await this.events.detail(scope, id, principalRestrictions(principal));
    this.audit.viewed(principal, scope.companyId, 'detail', { id });
    return event;
  }

  private scopeOf(principal: Principal, params: QueryParams): ReadScope {
    const companyId = resolveCompany(principal, singleQueryParam(params, 'company_id'));
    return { companyId, admin: isAdmin(principal) };
  }

  private read(
    principal: Principal,
    params: QueryParams,
    extraParams: string[],
  ): { scope: ReadScope; filters: EventFilters } {
    const scope = this.scopeOf(principal, params);
    const parsed = parseEventFilters(
      params,
      new Date(),
      {
        maxWindowDays: this.config.query.maxWindowDays,
        maxLookbackDays: this.config.query.maxLookbackDays,
      },
      { extraParams: ['company_id', ...extraParams] },
    );
    if (!parsed.ok)
      throw ProblemException.badRequest('The query parameters are invalid.', parsed.errors);
    // The fixed filters come from the principal, never from the request or a cursor.
    return { scope, filters: restrictFilters(principal, parsed.filters) };
  }
}
