import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { type StoredEvent, withIndexedAt } from '@auditlog/events';
import { EVENT_WRITE_FENCE, type EventWriteFence, type FencedWrite } from './event-write-fence';
import { OPENSEARCH_CLIENT } from './opensearch.client';

export interface EventWrite {
  index: string;
  id: string;
  document: StoredEvent;
  /** `document` already serialised as JSON, when the caller has it (saves a second pass). */
  source?: string;
}

export type WriteOutcome =
  | { status: 'created' }
  | { status: 'duplicate' }
  | { status: 'failed'; retryable: boolean; reason: string };

/** The whole bulk request failed: nothing in it can be assumed stored. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`OpenSearch is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StorageUnavailableError';
  }
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

interface BulkItem {
  create?: { status: number; error?: { type?: string; reason?: string } };
}

/** Thin OpenSearch adapter for events: create-only bulk writes. No product rules here. */
@Injectable()
export class EventRepository {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Optional() @Inject(EVENT_WRITE_FENCE) private readonly fence?: EventWriteFence,
  ) {}

  async bulkCreate(writes: readonly EventWrite[]): Promise<WriteOutcome[]> {
    if (writes.length === 0) return [];
    const fenced: FencedWrite = this.fence
      ? await this.fence.open()
      : { stamp: Date.now(), close: () => undefined };
    try {
      return await this.send(writes, new Date(fenced.stamp).toISOString());
    } finally {
      fenced.close();
    }
  }

  /** One `_bulk`; documents stamped per attempt with the fence's `indexedAt`. */
  private async send(writes: readonly EventWrite[], indexedAt: string): Promise<WriteOutcome[]> {
    const body = writes.flatMap((write) => [
      { create: { _index: write.index, _id: write.id } },
      write.source === undefined
        ? { ...write.document, ingest: { ...write.document.ingest, indexed_at: indexedAt } }
        : withIndexedAt(write.source, indexedAt),
    ]);
    let items: BulkItem[];
    try {
      // Pre-serialised documents (strings) are sent as they are by the client's NDJSON serialiser.
      // Only what the outcome needs: the full per-item answer costs more to parse than the
      // rest of the ingest path (docs/adr/0012-ingest-hot-path.md).
      const response = await this.client.bulk({
        body: body as never,
        filter_path: 'items.*.status,items.*.error.type,items.*.error.reason',
      });
      items = response.body.items;
      if (!Array.isArray(items) || items.length !== writes.length) {
        throw new Error(`bulk answered ${items?.length ?? 0} items for ${writes.length} writes`);
      }
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
    return items.map((item) => toOutcome(item));
  }
}

function toOutcome(item: BulkItem): WriteOutcome {
  const result = item.create;
  if (!result) return { status: 'failed', retryable: true, reason: 'no result for item' };
  if (result.status === 201) return { status: 'created' };
  if (result.status === 409) return { status: 'duplicate' };
  return {
    status: 'failed',
    retryable: RETRYABLE_STATUSES.has(result.status),
    reason: `${result.error?.type ?? result.status}: ${result.error?.reason ?? 'unknown'}`,
  };
}
