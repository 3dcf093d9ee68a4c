import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type { EventFilters, StoredEvent } from '@auditlog/events';
import { buildEventQuery, eventSort } from './event-query.builder';
import { IndexNames } from './index-names';
import { OPENSEARCH_CLIENT } from './opensearch.client';
import { receivedIndicesFor } from './received-events.reader';

export interface ScanOptions {
  /** Events per `search_after` page (at most 10,000). */
  batchSize: number;
  /** How long the point in time stays open between two pages. */
  keepAlive?: string;
}

interface Hit {
  _source: StoredEvent;
  sort: Array<string | number>;
}

/**
 * Reads every event of one company matching the filters, in the filters' sort order, from
 * a point in time with `search_after`: one consistent snapshot, one page in memory at a
 * time, however many events match.
 */
@Injectable()
export class EventScanner {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How many events match right now. */
  async count(companyId: string, filters: EventFilters): Promise<number> {
    const { body } = await this.client.count({
      index: this.indices(filters),
      ignore_unavailable: true,
      allow_no_indices: true,
      body: { query: buildEventQuery(companyId, filters) },
    });
    return body.count;
  }

  /** Pages of matching events; the point in time is closed however the loop ends. */
  async *scan(
    companyId: string,
    filters: EventFilters,
    options: ScanOptions,
  ): AsyncGenerator<StoredEvent[]> {
    const keepAlive = options.keepAlive ?? '2m';
    const pitId = await this.openPit(filters, keepAlive);
    // A point in time over no index at all is an error in OpenSearch; nothing matches.
    if (!pitId) return;
    try {
      let after: Array<string | number> | undefined;
      for (;;) {
        const { body } = await this.client.search({
          body: {
            pit: { id: pitId, keep_alive: keepAlive },
            size: options.batchSize,
            track_total_hits: false,
            query: buildEventQuery(companyId, filters),
            sort: eventSort(filters.sort, filters.timeField),
            ...(after ? { search_after: after } : {}),
          },
        });
        const hits = body.hits.hits as Hit[];
        if (hits.length === 0) return;
        yield hits.map((hit) => hit._source);
        const last = hits.at(-1);
        if (last === undefined || hits.length < options.batchSize) return;
        after = last.sort;
      }
    } finally {
      await this.client.deletePit({ body: { pit_id: [pitId] } }).catch(() => undefined);
    }
  }

  private indexPatterns(filters: EventFilters): string[] {
    return filters.timeField === 'received_at'
      ? receivedIndicesFor(this.names, this.config, filters.from, filters.to)
      : this.names.readIndicesFor(filters.from, filters.to);
  }

  private indices(filters: EventFilters): string {
    return this.indexPatterns(filters).join(',');
  }

  private async openPit(filters: EventFilters, keepAlive: string): Promise<string | undefined> {
    const { body: resolved } = await this.client.indices.resolveIndex({
      name: this.indexPatterns(filters),
      expand_wildcards: 'open',
    });
    const indices = (resolved.indices ?? []).map((entry: { name: string }) => entry.name);
    if (indices.length === 0) return undefined;
    const { body } = await this.client.createPit({ index: indices, keep_alive: keepAlive });
    return body.pit_id;
  }
}
