import {
  CompanyIdParam,
  EventFilterQuery,
  IntegerParam,
  OneOfParam,
  SingleParam,
} from '@auditlog/platform';
import { FACET_FIELDS } from './events-query.service';

/** `GET /v1/events`: the filters, plus paging. */
export class ListEventsQuery extends EventFilterQuery {
  @CompanyIdParam()
  company_id?: string;

  @IntegerParam({ min: 1, max: 1000, default: 100, description: 'Page size.' })
  limit?: number;

  @SingleParam({
    description:
      'next_cursor of the previous page; valid only with the same filters, sort and company.',
  })
  cursor?: string;
}

/** `GET /v1/events/histogram`: the filters, plus the bucket width. */
export class HistogramQuery extends EventFilterQuery {
  @CompanyIdParam()
  company_id?: string;

  @SingleParam({
    description: 'auto (default), <n>s|m|h|d (5m, 1h, 1d), 1w or 1M; the bucket count is bounded.',
  })
  interval?: string;
}

/** `GET /v1/events/facets`: the filters, plus the field and the number of top values. */
export class FacetsQuery extends EventFilterQuery {
  @CompanyIdParam()
  company_id?: string;

  @OneOfParam(Object.keys(FACET_FIELDS), {
    required: true,
    description: 'The keyword field whose top values are counted.',
  })
  field!: string;

  @IntegerParam({ min: 1, max: 100, default: 10, description: 'Number of top values.' })
  size?: number;
}
