import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type StoredEvent, withIndexedAt } from '@auditlog/events';
import { EVENT_WRITE_FENCE, type EventWriteFence, type FencedWrite } from './event-write-fence';
import { OPENSEARCH_CLIENT } from './opensearch.client';

/**
 * One event to create: the stored document, or its JSON when the caller already has it
 * (the ingest path: it then keeps no document object alive while the write is in flight).
 */
export type EventWrite = { index: string; id: string } & (
  { document: StoredEvent; source?: undefined } | { source: string; document?: undefined }
);

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

/**
 * The NDJSON body written straight into one Buffer: an action line per write and the
 * pre-serialised source, with no intermediate array, no action object to stringify and no
 * large string on the heap while the call is in flight (docs/adr/0160-ingest-request-cost.md).
 */
function bulkBody(writes: readonly EventWrite[], indexedAt: string): Buffer {
  const lines = new Array<string>(writes.length * 2);
  let bytes = 0;
  for (let i = 0; i < writes.length; i++) {
    const write = writes[i] as EventWrite;
    const action = `{"create":{"_index":${JSON.stringify(write.index)},"_id":${JSON.stringify(write.id)}}}\n`;
    const source = `${
      write.source === undefined
        ? JSON.stringify({
            ...write.document,
            ingest: { ...write.document.ingest, indexed_at: indexedAt },
          })
        : withIndexedAt(write.source, indexedAt)
    }\n`;
    lines[2 * i] = action;
    lines[2 * i + 1] = source;
    bytes += Buffer.byteLength(action, 'utf8') + Buffer.byteLength(source, 'utf8');
  }
  const body = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const line of lines) offset += body.write(line, offset, 'utf8');
  return body;
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
