import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type { EventFilters, StoredEvent } from '@auditlog/events';
import { buildEventQuery, eventSort } from './event-query.builder';
import { IndexNames } from './index-names';
import { OPENSEARCH_CLIENT } from './opensearch.client';
import { receivedIndicesFor } from './received-events.reader';
import { parsedScanPage, type ScanHit, type ScanPage, scanPage } from './scan-page';

export interface ScanOptions {
  /** Events per `search_after` page (at most 10,000). */
  batchSize: number;
  /** How long the point in time stays open between two pages. */
  keepAlive?: string;
}

/**
 * What a scan page asks OpenSearch to send: the events and their sort keys, without each
 * hit's `_index`, `_id` and `_score` or the point in time's id (the scan keeps its own),
 * so the worker parses less text per row.
 */
export const SCAN_PAGE_FILTER_PATH = 'hits.hits._source,hits.hits.sort';

/**
 * Reads every event of one company matching the filters, in the filters' sort order, from
 * a point in time with `search_after`: one consistent snapshot, at most two pages in
 * memory, however many events match.
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

  /**
   * Batches of matching events, page by page, each page in groups of at most
   * `SCAN_GROUP_SIZE`; the point in time is closed however the loop ends. The next page is
   * requested before the current one is handed out, so OpenSearch reads it while the
   * consumer formats this one: at most two pages are in memory, one of them as bytes.
   */
  async *scan(
    companyId: string,
    filters: EventFilters,
    options: ScanOptions,
  ): AsyncGenerator<StoredEvent[]> {
    const keepAlive = options.keepAlive ?? '2m';
    const pitId = await this.openPit(filters, keepAlive);
    // A point in time over no index at all is an error in OpenSearch; nothing matches.
    if (!pitId) return;
    const page = (after?: Array<string | number>) =>
      this.page(pitId, keepAlive, companyId, filters, options.batchSize, after);
    let next: Promise<ScanPage> | undefined = page();
    try {
      while (next) {
        const current: ScanPage = await next;
        next =
          current.lastSort && current.size >= options.batchSize
            ? page(current.lastSort)
            : undefined;
        // A consumer that stops early must not leave the prefetch's failure unhandled.
        next?.catch(() => undefined);
        for (const events of current.groups()) yield events;
      }
    } finally {
      await next?.catch(() => undefined);
      await this.client.deletePit({ body: { pit_id: [pitId] } }).catch(() => undefined);
    }
  }

  private async page(
    pitId: string,
    keepAlive: string,
    companyId: string,
    filters: EventFilters,
    size: number,
    after?: Array<string | number>,
  ): Promise<ScanPage> {
    const request = {
      filter_path: SCAN_PAGE_FILTER_PATH,
      body: {
        pit: { id: pitId, keep_alive: keepAlive },
        size,
        track_total_hits: false,
        query: buildEventQuery(companyId, filters),
        sort: eventSort(filters.sort, filters.timeField),
        ...(after ? { search_after: after } : {}),
      },
    };
    // The page's bytes as they come, parsed with JSON.parse a group at a time: the client's
    // own parsing (secure-json-parse) takes the whole page at once and scans the text twice
    // more for prototype keys, which stored events cannot hold (ingest refuses `__proto__`,
    // `constructor` and `prototype` anywhere).
    const { statusCode, headers, body } = await this.client.search(request, { asStream: true });
    const response = body as unknown as IncomingMessage;
    if (statusCode === 200 && !headers?.['content-encoding']) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      return scanPage(Buffer.concat(chunks));
    }
    // Anything else (an error, a compressed body) goes the client's ordinary way, which
    // reads it, throws its usual error for an error status and parses the rest.
    response.resume();
    const { body: parsed } = await this.client.search(request);
    // filter_path leaves out `hits.hits` when nothing matched.
    return parsedScanPage((parsed.hits?.hits ?? []) as ScanHit[]);
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
