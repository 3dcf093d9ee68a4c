import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import type { EventFilters, StoredEvent } from '@auditlog/events';
import { filtersQuery, IndexNames, OPENSEARCH_CLIENT } from '@auditlog/opensearch';
import { RedisWriteFence } from './write-fence';

/** A position in tail order: `ingest.indexed_at` (epoch ms), then company, then id. */
export interface TailPosition {
  indexed_at: number;
  company_id: string;
  id: string;
}

/** The list filters without order; a timestamp window only when the caller names one. */
export type TailFilters = Omit<EventFilters, 'from' | 'to' | 'sort'> & {
  from?: string;
  to?: string;
};

export interface TailRequest {
  /** The companies read: a list (never empty), or every company. */
  companies: readonly string[] | 'all';
  filters: TailFilters;
  /** Continue strictly after this position. */
  after?: TailPosition;
  /** Without `after`: first stamp read (inclusive, ISO); the beginning of the log when absent. */
  since?: string;
  limit: number;
  /** Only events stamped before now minus this are handed out. */
  settleMs: number;
}

export interface TailPage {
  events: StoredEvent[];
  /** Where the next read continues: the last event's position, else the request's. */
  next: TailPosition | undefined;
  /** Events stamped before this instant are all in this page or before it (ISO). */
  watermark: string;
}

type SortValues = [number, string, string];

interface Hit {
  _source: StoredEvent;
  sort: SortValues;
}

/**
 * The gap-free tail: events in the order their writer stamped them (`ingest.indexed_at`,
 * set per `_bulk` attempt just before sending). The watermark is the older of now minus
 * the settle delay and the oldest write still in flight (RedisWriteFence): every event
 * stamped before it was acknowledged before the fence was read, and the refresh that
 * follows makes it searchable, so a reader that follows the returned positions sees every
 * stored event, however late it was written (docs/adr/0100).
 */
@Injectable()
export class EventTailReader {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
    private readonly fence: RedisWriteFence,
  ) {}

  private refreshing?: { startedAt: number; done: Promise<void> };

  /**
   * The instant before which every event is searchable: nothing at or after it is read.
   * Every write stamped before it was acknowledged before the fence was read; a refresh
   * begun after that read makes them all visible, however slow the refresh schedule runs.
   */
  async watermark(settleMs: number, now = Date.now()): Promise<number> {
    const oldestOpen = await this.fence.oldestOpen(now);
    await this.refreshedAfter(performance.now());
    return Math.min(now - settleMs, oldestOpen ?? Number.POSITIVE_INFINITY);
  }

  /** Concurrent reads share a refresh, as long as it began after their fence read. */
  private refreshedAfter(instant: number): Promise<void> {
    const current = this.refreshing;
    if (current && current.startedAt >= instant) return current.done;
    const startedAt = performance.now();
    const done = this.client.indices
      .refresh({
        index: this.names.eventsPattern,
        ignore_unavailable: true,
        allow_no_indices: true,
      })
      .then(() => undefined);
    this.refreshing = { startedAt, done };
    return done;
  }

  async read(request: TailRequest, now = Date.now()): Promise<TailPage> {
    const watermark = new Date(await this.watermark(request.settleMs, now)).toISOString();
    const stamp: Record<string, string | number> = { lt: watermark };
    if (request.after) stamp.gte = request.after.indexed_at;
    else if (request.since) stamp.gte = request.since;
    const leading: Array<Record<string, unknown>> = [];
    if (request.companies !== 'all') {
      leading.push({ terms: { company_id: [...request.companies] } });
    }
    leading.push({ range: { 'ingest.indexed_at': stamp } });
    const { from, to } = request.filters;
    if (from !== undefined || to !== undefined) {
      leading.push({
        range: { timestamp: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } },
      });
    }
    const { body } = await this.client.search({
      index: this.names.eventsPattern,
      ignore_unavailable: true,
      allow_no_indices: true,
      // Skips, before searching them, the shards whose stamps all lie outside the range.
      pre_filter_shard_size: 1,
      body: {
        size: request.limit,
        track_total_hits: false,
        query: filtersQuery(leading, request.filters),
        sort: [{ 'ingest.indexed_at': 'asc' }, { company_id: 'asc' }, { id: 'asc' }],
        ...(request.after
          ? {
              search_after: [
                request.after.indexed_at,
                request.after.company_id,
                request.after.id,
              ] satisfies SortValues,
            }
          : {}),
      },
    });
    const hits = body.hits.hits as Hit[];
    const last = hits.at(-1);
    return {
      events: hits.map((hit) => hit._source),
      next: last
        ? { indexed_at: last.sort[0], company_id: last.sort[1], id: last.sort[2] }
        : request.after,
      watermark,
    };
  }
}
