import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import type { StoredEvent } from '@auditlog/events';
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
  constructor(@Inject(OPENSEARCH_CLIENT) private readonly client: Client) {}

  async bulkCreate(writes: readonly EventWrite[]): Promise<WriteOutcome[]> {
    if (writes.length === 0) return [];
    const body = writes.flatMap((write) => [
      { create: { _index: write.index, _id: write.id } },
      write.source ?? write.document,
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
