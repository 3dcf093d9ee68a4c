import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type {
  AuditEvent,
  EventFilters,
  FilterSet,
  QueryParams,
  StoredEvent,
} from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import {
  buildEventQuery,
  eventSort,
  IndexNames,
  IndexRouter,
  OPENSEARCH_CLIENT,
  restrictionClauses,
} from '@auditlog/storage';
import type { HistogramInterval } from './histogram-interval';
import { cursorKey, PageCursorCodec, paramsDigest } from './page-cursor';

export interface EventPage {
  data: AuditEvent[];
  next_cursor: string | null;
  total: { value: number; relation: 'eq' | 'gte' };
}

export interface Histogram {
  interval: string;
  from: string;
  to: string;
  buckets: Array<{ timestamp: string; count: number }>;
  total: number;
}

export interface Facets {
  field: string;
  values: Array<{ value: string; count: number }>;
  other_count: number;
}

/** Facet parameter names and the keyword field each one counts. */
export const FACET_FIELDS: Record<string, string> = {
  action: 'action',
  category: 'category',
  operation: 'operation',
  actor_id: 'actor.id',
  actor_email: 'actor.email',
  actor_type: 'actor.type',
  target_type: 'target.type',
  target_id: 'target.id',
  outcome: 'outcome',
  source_tool: 'source.tool',
};

/** The caller of a read: which company, and whether admin-only fields may be shown. */
export interface ReadScope {
  companyId: string;
  admin: boolean;
}

/** Strips fields company owners never see. */
export function toOwnerView(stored: StoredEvent): AuditEvent {
  const { ingest: _ingest, scope: _scope, ...event } = stored;
  return event;
}

/** Installation admins also see `ingest.*`; `scope` is an index helper for everyone. */
export function toAdminView(stored: StoredEvent): AuditEvent & Pick<StoredEvent, 'ingest'> {
  const { scope: _scope, ...event } = stored;
  return event;
}

interface Hit {
  _source: StoredEvent;
  sort: [number, string];
}

@Injectable()
export class EventsQueryService {
  private readonly cursors: PageCursorCodec;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly router: IndexRouter,
    private readonly names: IndexNames,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cursors = new PageCursorCodec(cursorKey(config));
  }

  /** Restores the time window bound in a cursor, after verifying it belongs to this search. */
  continueFrom(
    cursor: string,
    scope: ReadScope,
    params: QueryParams,
    filters: EventFilters,
  ): { filters: EventFilters; after: [number, string] } {
    const state = this.cursors.decode(cursor, scope.companyId, params);
    return { filters: { ...filters, from: state.from, to: state.to }, after: state.after };
  }

  async list(
    scope: ReadScope,
    filters: EventFilters,
    limit: number,
    params: QueryParams,
    after?: [number, string],
  ): Promise<EventPage> {
    const body = await this.search(filters, {
      size: limit + 1,
      track_total_hits: 10_000,
      query: buildEventQuery(scope.companyId, filters),
      sort: eventSort(filters.sort),
      ...(after ? { search_after: after } : {}),
    });
    const hits = body.hits.hits as Hit[];
    const page = hits.slice(0, limit);
    const last = page.at(-1);
    const next_cursor =
      hits.length > limit && last
        ? this.cursors.encode({
            company: scope.companyId,
            params: paramsDigest(params),
            from: filters.from,
            to: filters.to,
            sort: filters.sort,
            after: last.sort,
          })
        : null;
    const view = scope.admin ? toAdminView : toOwnerView;
    return {
      data: page.map((hit) => view(hit._source)),
      next_cursor,
      total: body.hits.total as EventPage['total'],
    };
  }

  /**
   * One event of the caller's company inside its fixed filters, or 404: other companies'
   * ids, and ids outside the fixed filters, look like unknown ids.
   */
  async detail(
    scope: ReadScope,
    id: string,
    restrictions: readonly FilterSet[] = [],
  ): Promise<AuditEvent> {
    const { body } = await this.client.search({
      index: this.names.eventsPattern,
      ignore_unavailable: true,
      allow_no_indices: true,
      body: {
        size: 1,
        query: {
          bool: {
            filter: [
              { term: { company_id: scope.companyId } },
              { term: { id } },
              ...restrictionClauses(restrictions),
            ],
          },
        },
      },
    });
    const hit = (body.hits.hits as Hit[])[0];
    if (!hit) {
      throw new ProblemException(404, 'not-found', 'Not Found', `No event with id "${id}".`);
    }
    return scope.admin ? toAdminView(hit._source) : toOwnerView(hit._source);
  }

  async histogram(
    scope: ReadScope,
    filters: EventFilters,
    interval: HistogramInterval,
  ): Promise<Histogram> {
    const intervalOption =
      interval.kind === 'fixed'
        ? { fixed_interval: interval.value }
        : { calendar_interval: interval.value };
    const body = await this.search(filters, {
      size: 0,
      track_total_hits: true,
      query: buildEventQuery(scope.companyId, filters),
      aggs: {
        over_time: {
          date_histogram: {
            field: 'timestamp',
            ...intervalOption,
            time_zone: 'UTC',
            min_doc_count: 0,
            extended_bounds: {
              min: filters.from,
              max: new Date(Date.parse(filters.to) - 1).toISOString(),
            },
          },
        },
      },
    });
    const buckets = (
      body.aggregations?.over_time as { buckets: Array<{ key: number; doc_count: number }> }
    ).buckets;
    return {
      interval: interval.value,
      from: filters.from,
      to: filters.to,
      buckets: buckets.map((bucket) => ({
        timestamp: new Date(bucket.key).toISOString(),
        count: bucket.doc_count,
      })),
      total: (body.hits.total as { value: number }).value,
    };
  }

  async facets(
    scope: ReadScope,
    filters: EventFilters,
    param: string,
    size: number,
  ): Promise<Facets> {
    const body = await this.search(filters, {
      size: 0,
      track_total_hits: false,
      query: buildEventQuery(scope.companyId, filters),
      aggs: { top: { terms: { field: FACET_FIELDS[param], size } } },
    });
    const top = body.aggregations?.top as {
      buckets: Array<{ key: string; doc_count: number }>;
      sum_other_doc_count: number;
    };
    return {
      field: param,
      values: top.buckets.map((bucket) => ({ value: String(bucket.key), count: bucket.doc_count })),
      other_count: top.sum_other_doc_count,
    };
  }

  private async search(filters: EventFilters, body: Record<string, unknown>) {
    const response = await this.client.search({
      index: this.router.readIndicesFor(filters.from, filters.to).join(','),
      ignore_unavailable: true,
      allow_no_indices: true,
      body,
    });
    return response.body;
  }
}
