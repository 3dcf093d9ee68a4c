import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import type { EventFilters, FilterSet, StoredEvent } from '@auditlog/events';
import { buildEventQuery, eventSort, restrictionClauses } from './event-query.builder';
import { IndexNames } from './index-names';
import { OPENSEARCH_CLIENT } from './opensearch.client';

/** The `search_after` key of one event in list order: timestamp (epoch ms), then id. */
export type EventSortKey = [number, string];

export interface EventHits {
  hits: Array<{ event: StoredEvent; sort: EventSortKey }>;
  total: { value: number; relation: 'eq' | 'gte' };
}

export type DateHistogramInterval =
  { kind: 'fixed'; value: string } | { kind: 'calendar'; value: string };

export interface EventBuckets {
  buckets: Array<{ timestamp: string; count: number }>;
  total: number;
}

export interface TermCounts {
  values: Array<{ value: string; count: number }>;
  otherCount: number;
}

/** A time window [from, to) of ISO instants. */
export interface TimeWindow {
  from: string;
  to: string;
}

interface Hit {
  _source: StoredEvent;
  sort: EventSortKey;
}

/**
 * What a list page asks OpenSearch to send: the events and their sort keys, without each
 * hit's `_index`, `_id` and `_score`, so the largest response of the query API is a ninth
 * less text to parse. (`_source.excludes` for `scope` would cut more, but OpenSearch then
 * parses and rewrites every source: slower on its side, ADR 0155.)
 */
export const EVENT_PAGE_FILTER_PATH = 'hits.total,hits.hits._source,hits.hits.sort';

/**
 * The event reads the apps need — list, detail, histogram, facets and counts — as functions
 * of the filter model. Every query goes through `buildEventQuery` (the tenant term first,
 * fixed filter sets ANDed whole) and every read touches only the indices its window can
 * overlap; apps build no query DSL.
 */
@Injectable()
export class EventSearch {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
  ) {}

  /** One page in the filters' sort order; `size` hits at most, after `after` when given. */
  async list(
    companyId: string,
    filters: EventFilters,
    size: number,
    after?: EventSortKey,
  ): Promise<EventHits> {
    const body = await this.search(
      filters,
      {
        size,
        track_total_hits: 10_000,
        query: buildEventQuery(companyId, filters),
        sort: eventSort(filters.sort),
        ...(after ? { search_after: after } : {}),
      },
      EVENT_PAGE_FILTER_PATH,
    );
    // filter_path leaves out `hits.hits` when nothing matched.
    const hits = (body.hits.hits ?? []) as Hit[];
    return {
      hits: hits.map((hit) => ({ event: hit._source, sort: hit.sort })),
      total: body.hits.total as EventHits['total'],
    };
  }

  /** One event of the company by id, inside the fixed filter sets; undefined otherwise. */
  async get(
    companyId: string,
    id: string,
    restrictions: readonly FilterSet[] = [],
  ): Promise<StoredEvent | undefined> {
    const { body } = await this.client.search({
      index: this.names.eventsPattern,
      ignore_unavailable: true,
      allow_no_indices: true,
      body: {
        size: 1,
        query: {
          bool: {
            filter: [
              { term: { company_id: companyId } },
              { term: { id } },
              ...restrictionClauses(restrictions),
            ],
          },
        },
      },
    });
    return (body.hits.hits as Hit[])[0]?._source;
  }

  /** Matching events per interval over the whole window, empty buckets included (UTC). */
  async histogram(
    companyId: string,
    filters: EventFilters,
    interval: DateHistogramInterval,
  ): Promise<EventBuckets> {
    const intervalOption =
      interval.kind === 'fixed'
        ? { fixed_interval: interval.value }
        : { calendar_interval: interval.value };
    const body = await this.search(filters, {
      size: 0,
      track_total_hits: true,
      query: buildEventQuery(companyId, filters),
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
      buckets: buckets.map((bucket) => ({
        timestamp: new Date(bucket.key).toISOString(),
        count: bucket.doc_count,
      })),
      total: (body.hits.total as { value: number }).value,
    };
  }

  /** The `size` most frequent values of one keyword field among the matching events. */
  async facet(
    companyId: string,
    filters: EventFilters,
    field: string,
    size: number,
  ): Promise<TermCounts> {
    const body = await this.search(filters, {
      size: 0,
      track_total_hits: false,
      query: buildEventQuery(companyId, filters),
      aggs: { top: { terms: { field, size } } },
    });
    const top = body.aggregations?.top as {
      buckets: Array<{ key: string; doc_count: number }>;
      sum_other_doc_count: number;
    };
    return {
      values: top.buckets.map((bucket) => ({ value: String(bucket.key), count: bucket.doc_count })),
      otherCount: top.sum_other_doc_count,
    };
  }

  /** Counts per value of one keyword field among one company's events in the window. */
  async countBy(
    field: string,
    companyId: string,
    filters: EventFilters,
    size: number,
  ): Promise<Map<string, number>> {
    return this.terms(filters, buildEventQuery(companyId, filters), field, size);
  }

  /** Events per company in the window, across the installation (for admins only). */
  async countPerCompany(window: TimeWindow, size: number): Promise<Map<string, number>> {
    const query = {
      bool: { filter: [{ range: { timestamp: { gte: window.from, lt: window.to } } }] },
    };
    return this.terms(window, query, 'company_id', size);
  }

  private async terms(
    window: TimeWindow,
    query: Record<string, unknown>,
    field: string,
    size: number,
  ): Promise<Map<string, number>> {
    const body = await this.search(window, {
      size: 0,
      track_total_hits: false,
      query,
      aggs: { values: { terms: { field, size } } },
    });
    const buckets =
      (body.aggregations?.values as { buckets: Array<{ key: string; doc_count: number }> })
        ?.buckets ?? [];
    return new Map(buckets.map((bucket) => [String(bucket.key), bucket.doc_count]));
  }

  private async search(window: TimeWindow, body: Record<string, unknown>, filterPath?: string) {
    const response = await this.client.search({
      index: this.names.readIndicesFor(window.from, window.to).join(','),
      ignore_unavailable: true,
      allow_no_indices: true,
      ...(filterPath ? { filter_path: filterPath } : {}),
      body,
    });
    return response.body;
  }
}
