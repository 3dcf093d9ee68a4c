import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequirePermission } from '@auditlog/auth';
import { EventFiltersPipe } from '@auditlog/platform';
import { ApiAuthProblems, ApiEventFilters } from '../events/events.openapi';
import { TAIL_PAGE_SCHEMA } from './tail.openapi';
import { TailEventsQuery } from './tail-query.dto';
import { type TailPageView, TailService } from './tail.service';

/** `GET /v1/events/tail`: every stored event, in storage order, for SIEM pollers. */
@ApiTags('events')
@ApiAuthProblems()
@Controller('v1/events/tail')
@RequirePermission('tail')
export class TailController {
  constructor(private readonly tail: TailService) {}

  @Get()
  @ApiOperation({
    summary: 'Follow the log: events in storage order, gap-free, with an always-returned `after`',
  })
  @ApiEventFilters({ sort: false })
  @ApiOkResponse({ schema: TAIL_PAGE_SCHEMA })
  read(
    @CurrentPrincipal() principal: Principal,
    @Query(EventFiltersPipe) query: TailEventsQuery,
  ): Promise<TailPageView> {
    return this.tail.read(principal, {
      companyId: query.company_id,
      filters: query.filters,
      params: query.params,
      after: query.after,
      since: query.since,
      limit: query.limit ?? 100,
    });
  }
}
