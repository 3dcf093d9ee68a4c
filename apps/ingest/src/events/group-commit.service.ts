import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type BulkConfig } from '@auditlog/config';
import { MetricsService } from '@auditlog/platform';
import {
  EventRepository,
  type EventWrite,
  StorageUnavailableError,
  type WriteOutcome,
} from '@auditlog/opensearch';

/** The in-memory queue is full: the caller should answer 429 and let the producer retry. */
export class QueueFullError extends Error {
  constructor() {
    super('the ingest queue is full');
    this.name = 'QueueFullError';
  }
}

interface Pending {
  write: EventWrite;
  bytes: number;
  attempts: number;
  queuedAt: number;
  settle: (outcome: WriteOutcome | Error) => void;
}

/** Attempts per event, counting the first, before a transient failure is reported. */
const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 50;
/** After OpenSearch failed as a whole, new work is refused at once for this long. */
const UNAVAILABLE_HOLD_MS = 1000;
const SHUTDOWN_DRAIN_MS = 10_000;
/**
 * An event not yet sent after this long is answered as not stored (503), so a slow
 * OpenSearch cannot hold producers' requests open indefinitely.
 */
const MAX_QUEUE_WAIT_MS = 10_000;

/**
 * Group commit: events of concurrent requests are coalesced into `_bulk` calls bounded
 * by event count and bytes; while `concurrency` calls are in flight, new events gather
 * into the next one, and an idle writer waits `lingerMs` for company. A promise resolves
 * only with the item's own `_bulk` result, and the index template makes every `_bulk`
 * response durable (translog fsync per request), so an answer means stored.
 *
 * Memory is bounded by `queueMaxBytes` over everything admitted and not yet answered.
 */
@Injectable()
export class GroupCommitService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GroupCommitService.name);
  private readonly limits: BulkConfig;
  private queue: Pending[] = [];
  private queueBytes = 0;
  private admittedBytes = 0;
  private admittedEvents = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private unavailableUntil = 0;
  private readonly bulkDuration;

  constructor(
    private readonly repository: EventRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    this.limits = config.ingest.bulk;
    this.bulkDuration = metrics.histogram(
      'auditlog_ingest_bulk_duration_seconds',
      'Duration of the _bulk calls of the group commit, by outcome',
      ['outcome'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
    metrics.gauge(
      'auditlog_ingest_queue_events',
      'Events accepted for writing and not yet answered',
      () => this.admittedEvents,
    );
    metrics.gauge(
      'auditlog_ingest_queue_bytes',
      'Bytes of events accepted for writing and not yet answered',
      () => this.admittedBytes,
    );
    metrics.gauge('auditlog_ingest_bulk_in_flight', 'Concurrent _bulk calls', () => this.inFlight);
  }

  /**
   * Writes the events; each result is the item's outcome, or an Error when OpenSearch
   * could not be reached. Throws QueueFullError or StorageUnavailableError when the whole
   * submission is refused up front (nothing of it was written).
   */
  submit(writes: readonly EventWrite[]): Promise<Array<WriteOutcome | Error>> {
    if (writes.length === 0) return Promise.resolve([]);
    if (Date.now() < this.unavailableUntil) {
      throw new StorageUnavailableError(new Error('OpenSearch failed moments ago'));
    }
    let bytes = 0;
    const sizes = new Array<number>(writes.length);
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i] as EventWrite;
      const source = write.source ?? JSON.stringify(write.document);
      sizes[i] = Buffer.byteLength(source, 'utf8') + 128;
      bytes += sizes[i] as number;
    }
    // A lone oversized request is still admitted, or it could never be written.
    if (this.admittedBytes > 0 && this.admittedBytes + bytes > this.limits.queueMaxBytes) {
      throw new QueueFullError();
    }
    this.admittedBytes += bytes;
    this.admittedEvents += writes.length;
    // One promise per submission, not per event: each item settles its own slot.
    const result = new Promise<Array<WriteOutcome | Error>>((resolve) => {
      const outcomes = new Array<WriteOutcome | Error>(writes.length);
      let open = writes.length;
      const queuedAt = Date.now();
      for (let i = 0; i < writes.length; i++) {
        const size = sizes[i] as number;
        this.enqueue({
          write: writes[i] as EventWrite,
          bytes: size,
          attempts: 0,
          queuedAt,
          settle: (outcome) => {
            this.admittedBytes -= size;
            this.admittedEvents -= 1;
            outcomes[i] = outcome;
            open -= 1;
            if (open === 0) resolve(outcomes);
          },
        });
      }
    });
    this.schedule();
    return result;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    this.flush();
    while (this.admittedEvents > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private enqueue(pending: Pending, front = false): void {
    if (front) this.queue.unshift(pending);
    else this.queue.push(pending);
    this.queueBytes += pending.bytes;
  }

  private schedule(): void {
    const full =
      this.queue.length >= this.limits.maxEvents || this.queueBytes >= this.limits.maxBytes;
    if (full || this.limits.lingerMs === 0) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.limits.lingerMs);
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.inFlight < this.limits.concurrency && this.queue.length > 0) {
      const chunk = this.takeChunk();
      this.inFlight += 1;
      void this.send(chunk).finally(() => {
        this.inFlight -= 1;
        // Whatever gathered during this call goes out now: that is the group commit.
        this.flush();
      });
    }
  }

  private takeChunk(): Pending[] {
    this.expireStale();
    let bytes = 0;
    let count = 0;
    while (count < this.limits.maxEvents) {
      const next = this.queue[count];
      if (next === undefined || (count > 0 && bytes + next.bytes > this.limits.maxBytes)) break;
      bytes += next.bytes;
      count += 1;
    }
    this.queueBytes -= bytes;
    return this.queue.splice(0, count);
  }

  private expireStale(): void {
    const oldest = Date.now() - MAX_QUEUE_WAIT_MS;
    const first = this.queue[0];
    if (first === undefined || first.queuedAt > oldest) return;
    const timedOut = new StorageUnavailableError(new Error('OpenSearch is too slow to keep up'));
    const stale = this.queue.filter((item) => item.queuedAt <= oldest);
    this.queue = this.queue.filter((item) => item.queuedAt > oldest);
    for (const pending of stale) {
      this.queueBytes -= pending.bytes;
      pending.settle(timedOut);
    }
  }

  private async send(chunk: Pending[]): Promise<void> {
    const stop = this.bulkDuration.startTimer();
    let outcomes: WriteOutcome[];
    try {
      outcomes = await this.repository.bulkCreate(chunk.map((pending) => pending.write));
      stop({ outcome: 'ok' });
    } catch (error) {
      stop({ outcome: 'unavailable' });
      const failure = error instanceof Error ? error : new Error(String(error));
      this.logger.warn(`_bulk of ${chunk.length} events failed: ${failure.message}`);
      for (const pending of chunk) this.retryOrSettle(pending, failure);
      return;
    }
    chunk.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined)
        pending.settle(new Error(`_bulk returned no outcome for item ${index}`));
      else if (outcome.status === 'failed' && outcome.retryable)
        this.retryOrSettle(pending, outcome);
      else pending.settle(outcome);
    });
  }

  private retryOrSettle(pending: Pending, failure: WriteOutcome | Error): void {
    pending.attempts += 1;
    if (pending.attempts >= MAX_ATTEMPTS) {
      if (failure instanceof Error) this.unavailableUntil = Date.now() + UNAVAILABLE_HOLD_MS;
      pending.settle(failure);
      return;
    }
    const backoff = BACKOFF_BASE_MS * 2 ** (pending.attempts - 1) * (0.5 + Math.random());
    setTimeout(() => {
      this.enqueue(pending, true);
      this.schedule();
    }, backoff).unref();
  }
}
