import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type Digest, digestId } from '@auditlog/integrity';
import { type CompositeAggregation, OPENSEARCH_CLIENT } from '@auditlog/opensearch';

const date = { type: 'date', format: 'strict_date_optional_time||epoch_millis' } as const;
const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const PAGE_SIZE = 1000;
/** 31 days of one-minute windows: the most digests one request or export bundle may carry. */
export const MAX_DIGESTS_PER_REQUEST = 50_000;

/** Strict mapping of a digest document; `leaves` stays in `_source` only. */
export const DIGEST_MAPPINGS = {
  dynamic: 'strict',
  date_detection: false,
  properties: {
    version: { type: 'short' },
    company_id: keyword,
    window_start: date,
    window_end: date,
    event_count: { type: 'long' },
    merkle_root: { type: 'keyword', index: false },
    leaves: { type: 'object', enabled: false },
    previous_digest_hash: { type: 'keyword', index: false },
    key_id: keyword,
    created_at: date,
    signature: { type: 'keyword', index: false },
  },
} as const;

export interface ChainHead {
  companyId: string;
  last: Digest;
}

/**
 * Thin adapter for the digests index `<prefix>-digests`. One index for all companies and
 * all time: it is never matched by the events pattern, so retention never deletes it.
 */
@Injectable()
export class DigestRepository {
  private readonly logger = new Logger(DigestRepository.name);
  readonly index: string;
  private readonly replicas: number;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.index = `${config.opensearch.indexPrefix}-digests`;
    this.replicas = config.opensearch.replicas;
  }

  /** Idempotent; safe when several replicas start at once. */
  async ensureIndex(): Promise<void> {
    const { body: exists } = await this.client.indices.exists({ index: this.index });
    if (exists) return;
    try {
      await this.client.indices.create({
        index: this.index,
        body: {
          settings: {
            number_of_shards: 1,
            number_of_replicas: this.replicas,
            'translog.durability': 'request',
          },
          mappings: DIGEST_MAPPINGS as unknown as Record<string, unknown>,
        },
      });
      this.logger.log(`digest index ${this.index} created`);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }

  /** Create-only: false when a digest of this company and window already exists. */
  async create(digest: Digest): Promise<boolean> {
    try {
      await this.client.create({
        index: this.index,
        id: digestId(digest.company_id, digest.window_start),
        body: digest,
      });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  /** Realtime get: sees a digest another replica just created, before any refresh. */
  async get(companyId: string, windowStart: string): Promise<Digest | undefined> {
    try {
      const { body } = await this.client.get({
        index: this.index,
        id: digestId(companyId, windowStart),
      });
      return body._source as Digest;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async refresh(): Promise<void> {
    await this.client.indices.refresh({ index: this.index, ignore_unavailable: true });
  }

  /** The last digest of every company that has a chain. */
  async chainHeads(): Promise<ChainHead[]> {
    const heads: ChainHead[] = [];
    let after: Record<string, string> | undefined;
    for (;;) {
      const { body } = await this.client.search({
        index: this.index,
        ignore_unavailable: true,
        body: {
          size: 0,
          aggs: {
            companies: {
              composite: {
                size: 200,
                sources: [{ company: { terms: { field: 'company_id' } } }],
                ...(after ? { after } : {}),
              },
              aggs: {
                last: { top_hits: { size: 1, sort: [{ window_start: 'desc' }] } },
              },
            },
          },
        },
      });
      const aggregation = body.aggregations?.companies as unknown as CompositeAggregation<
        {
          last: { hits: { hits: Array<{ _source: Digest }> } };
        },
        'company'
      >;
      if (!aggregation) return heads;
      for (const bucket of aggregation.buckets) {
        // A composite bucket holds at least one digest, so its top hit is there.
        const [last] = bucket.last.hits.hits;
        if (last !== undefined) heads.push({ companyId: bucket.key.company, last: last._source });
      }
      if (!aggregation.after_key || aggregation.buckets.length === 0) return heads;
      after = aggregation.after_key;
    }
  }

  /** Digests of one company whose window overlaps [from, to), oldest first, at most `limit`. */
  async list(companyId: string, from: string, to: string, limit: number): Promise<Digest[]> {
    const digests: Digest[] = [];
    let after: Array<string | number> | undefined;
    while (digests.length < limit) {
      const { body } = await this.client.search({
        index: this.index,
        ignore_unavailable: true,
        body: {
          size: Math.min(PAGE_SIZE, limit - digests.length),
          query: {
            bool: {
              filter: [
                { term: { company_id: companyId } },
                { range: { window_end: { gt: from } } },
                { range: { window_start: { lt: to } } },
              ],
            },
          },
          sort: [{ window_start: 'asc' }],
          ...(after ? { search_after: after } : {}),
        },
      });
      const hits = body.hits.hits as Array<{ _source: Digest; sort: Array<string | number> }>;
      digests.push(...hits.map((hit) => hit._source));
      const last = hits.at(-1);
      if (last === undefined) break;
      after = last.sort;
    }
    return digests;
  }

  /** The digest whose window ends where the given one starts. */
  async endingAt(companyId: string, windowEnd: string): Promise<Digest | undefined> {
    const { body } = await this.client.search({
      index: this.index,
      ignore_unavailable: true,
      body: {
        size: 1,
        query: {
          bool: {
            filter: [
              { term: { company_id: companyId } },
              { range: { window_end: { gte: windowEnd, lte: windowEnd } } },
            ],
          },
        },
      },
    });
    const hits = body.hits.hits as Array<{ _source: Digest }>;
    return hits[0]?._source;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}

function isAlreadyExists(error: unknown): boolean {
  const body = (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body;
  return body?.error?.type === 'resource_already_exists_exception';
}
