import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { IndexNames } from './index-names';
import { OPENSEARCH_CLIENT } from './opensearch.client';

const PAGE_SIZE = 1000;
const DAY_MS = 86_400_000;

export interface CompanyActivity {
  companyId: string;
  firstReceivedAt: string;
}

/**
 * The index patterns a read of events *received* in [from, to) must touch. Index routing is
 * by timestamp, which may precede `received_at` by up to the longest retention, so the span
 * reaches that much earlier (and a day later for clock skew).
 */
export function receivedIndicesFor(
  names: IndexNames,
  config: AppConfig,
  from: string,
  to: string,
): string[] {
  const days = Math.max(1, ...config.retention.classes.map((retention) => retention.days));
  const start = new Date(Date.parse(from) - days * DAY_MS).toISOString();
  const end = new Date(Date.parse(to) + DAY_MS).toISOString();
  return names.readIndicesFor(start, end);
}

/** Reads events by `received_at` (the sealing clock), not by `timestamp`. */
@Injectable()
export class ReceivedEventsReader {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly names: IndexNames,
  ) {}

  private indices(from: string, to: string): string {
    return receivedIndicesFor(this.names, this.config, from, to).join(',');
  }

  /** Events of one company received in [from, to), in (received_at, id) order. */
  async *scan<T>(
    companyId: string,
    from: string,
    to: string,
    source: string[] | { excludes: string[] },
  ): AsyncGenerator<T> {
    let after: Array<string | number> | undefined;
    for (;;) {
      const { body } = await this.client.search({
        index: this.indices(from, to),
        ignore_unavailable: true,
        allow_no_indices: true,
        body: {
          size: PAGE_SIZE,
          _source: source,
          query: {
            bool: {
              filter: [
                { term: { company_id: companyId } },
                { range: { received_at: { gte: from, lt: to } } },
              ],
            },
          },
          sort: [{ received_at: 'asc' }, { id: 'asc' }],
          ...(after ? { search_after: after } : {}),
        },
      });
      const hits = body.hits.hits as Array<{ _source: T; sort: Array<string | number> }>;
      for (const hit of hits) yield hit._source;
      const last = hits.at(-1);
      if (last === undefined || hits.length < PAGE_SIZE) return;
      after = last.sort;
    }
  }

  /** Every company with events received in [from, to), with its first such instant. */
  async companies(from: string, to: string): Promise<CompanyActivity[]> {
    const found: CompanyActivity[] = [];
    let after: Record<string, string> | undefined;
    for (;;) {
      const { body } = await this.client.search({
        index: this.indices(from, to),
        ignore_unavailable: true,
        allow_no_indices: true,
        body: {
          size: 0,
          query: { range: { received_at: { gte: from, lt: to } } },
          aggs: {
            companies: {
              composite: {
                size: 500,
                sources: [{ company: { terms: { field: 'company_id' } } }],
                ...(after ? { after } : {}),
              },
              aggs: {
                first: {
                  top_hits: { size: 1, sort: [{ received_at: 'asc' }], _source: ['received_at'] },
                },
              },
            },
          },
        },
      });
      const aggregation = body.aggregations?.companies as unknown as
        | CompositeAggregation<
            {
              first: { hits: { hits: Array<{ _source: { received_at: string } }> } };
            },
            'company'
          >
        | undefined;
      if (!aggregation) return found;
      for (const bucket of aggregation.buckets) {
        // A composite bucket holds at least one event, so its top hit is there.
        const [first] = bucket.first.hits.hits;
        if (first === undefined) continue;
        found.push({ companyId: bucket.key.company, firstReceivedAt: first._source.received_at });
      }
      if (!aggregation.after_key || aggregation.buckets.length === 0) return found;
      after = aggregation.after_key;
    }
  }
}

/** One page of a `composite` aggregation whose sources are named `Source`. */
export interface CompositeAggregation<T, Source extends string = string> {
  after_key?: Record<Source, string>;
  buckets: Array<{ key: Record<Source, string> } & T>;
}
