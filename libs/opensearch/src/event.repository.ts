import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { bulkBody, type EventWrite } from './bulk-body';
import { EVENT_WRITE_FENCE, type EventWriteFence, type FencedWrite } from './event-write-fence';
import { OPENSEARCH_CLIENT } from './opensearch.client';

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
  create?: {
    status: number;
    error?: { type?: string; reason?: string };
    _shards?: { successful?: number };
  };
}

/**
 * How long a write waits for enough active copies before it fails retryably, so that a
 * node loss answers 503 with Retry-After within seconds instead of holding requests.
 */
const ACTIVE_SHARDS_TIMEOUT = '5s';

/** Thin OpenSearch adapter for events: create-only bulk writes. No product rules here. */
@Injectable()
export class EventRepository {
  /** Copies (primary included) a write must reach to count as stored (docs/adr/0071). */
  private readonly writeCopies: number;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(EVENT_WRITE_FENCE) private readonly fence?: EventWriteFence,
  ) {
    this.writeCopies = config.opensearch.writeCopies;
  }

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
    const body = bulkBody(writes, indexedAt);
    let items: BulkItem[];
    try {
      // Only what the outcome needs: the full per-item answer costs more to parse than the
      // rest of the ingest path (docs/adr/0012-ingest-hot-path.md).
      const response = await this.client.bulk({
        // A Buffer body is sent as it is (the client's types only name the array form).
        body: body as never,
        filter_path:
          'items.*.status,items.*.error.type,items.*.error.reason,items.*._shards.successful',
        wait_for_active_shards: String(this.writeCopies),
        timeout: ACTIVE_SHARDS_TIMEOUT,
      });
      items = response.body.items;
      if (!Array.isArray(items) || items.length !== writes.length) {
        throw new Error(`bulk answered ${items?.length ?? 0} items for ${writes.length} writes`);
      }
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
    return items.map((item) => toOutcome(item, this.writeCopies));
  }
}

function toOutcome(item: BulkItem, writeCopies: number): WriteOutcome {
  const result = item.create;
  if (!result) return { status: 'failed', retryable: true, reason: 'no result for item' };
  // Written, but a copy failed on the way: not acknowledged yet. The retry answers 409
  // only once enough copies are active again, and an active copy holds every write.
  const copies = result._shards?.successful ?? writeCopies;
  if (result.status === 201 && copies < writeCopies) {
    return {
      status: 'failed',
      retryable: true,
      reason: `stored on ${copies} of the ${writeCopies} shard copies required`,
    };
  }
  if (result.status === 201) return { status: 'created' };
  if (result.status === 409) return { status: 'duplicate' };
  return {
    status: 'failed',
    retryable: RETRYABLE_STATUSES.has(result.status),
    reason: `${result.error?.type ?? result.status}: ${result.error?.reason ?? 'unknown'}`,
  };
}
