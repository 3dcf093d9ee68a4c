import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { IndexRouter, OPENSEARCH_CLIENT } from '@auditlog/storage';

/** The window "seen recently" counts cover: the catalog and the admin company list. */
export const RECENT_DAYS = 30;

export interface RecentWindow {
  from: string;
  to: string;
}

/**
 * Terms counts of one keyword field over the events of a recent window, searching only the
 * indices that can overlap it (the same routing as the event list). The caller builds the
 * query, so tenant isolation stays with `buildEventQuery`.
 */
@Injectable()
export class EventCountsService {
  private readonly futureSkewMs: number;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly router: IndexRouter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.futureSkewMs = config.ingest.maxFutureSkewMs;
  }

  /** The last RECENT_DAYS days, up to the future skew ingest accepts. */
  recentWindow(now = new Date()): RecentWindow {
    return {
      from: new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString(),
      to: new Date(now.getTime() + this.futureSkewMs).toISOString(),
    };
  }

  async countBy(
    field: string,
    window: RecentWindow,
    query: Record<string, unknown>,
    size: number,
  ): Promise<Map<string, number>> {
    const search: Record<string, unknown> = {
      size: 0,
      track_total_hits: false,
      query,
      aggs: { values: { terms: { field, size } } },
    };
    const { body } = await this.client.search({
      index: this.router.readIndicesFor(window.from, window.to).join(','),
      ignore_unavailable: true,
      allow_no_indices: true,
      body: search,
    });
    const buckets =
      (body.aggregations?.values as { buckets: Array<{ key: string; doc_count: number }> })
        ?.buckets ?? [];
    return new Map(buckets.map((bucket) => [String(bucket.key), bucket.doc_count]));
  }
}
