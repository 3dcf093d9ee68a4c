import { CompanyIdParam, EventFilterQuery, IntegerParam, SingleParam } from '@auditlog/platform';

/** `GET /v1/events/tail`: the list filters, plus the position and page size. */
export class TailEventsQuery extends EventFilterQuery {
  @CompanyIdParam()
  company_id?: string;

  @IntegerParam({
    min: 1,
    max: 10_000,
    default: 100,
    description: 'Page size (bounded by TAIL_MAX_PAGE_SIZE).',
  })
  limit?: number;

  @SingleParam({
    description:
      'The `after` of the previous page: continue strictly after it. Valid only with the same filters and company.',
  })
  after?: string;

  @SingleParam({
    description:
      'Without `after`: start at events stored at or after this instant (ISO 8601); the beginning of the log when absent.',
  })
  since?: string;
}
