import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type StoredEvent, toOwnerView } from '@auditlog/events';
import { MetricsService, REDIS_CLIENT } from '@auditlog/platform';
import type { DeliveryResult } from '@auditlog/stream-destinations';
import { StreamRepository, type StoredStream } from '@auditlog/streams';
import { EventTailReader, type TailFilters } from '@auditlog/tail';
import { afterDelivery, type SentBatch } from './delivery-state';
import { StreamLeases } from './stream-leases';
import { StreamSenders } from './stream-senders';

/** How often the replica looks for streams it does not deliver yet. */
const DISCOVERY_MS = 2_000;
const LEASE_MS = 15_000;
/** Idle streams look for new events this often (at most; a shorter max_wait_ms wins). */
const IDLE_POLL_MS = 500;

/** What one step of a stream's delivery loop found; the loop waits accordingly. */
type Step = { kind: 'again'; waitMs: number } | { kind: 'stop' };

function tailFilters(stream: StoredStream): TailFilters {
  const { categories, action_prefixes: prefixes, outcomes } = stream.filters;
  return {
    ...(categories?.length ? { categories } : {}),
    ...(prefixes?.length ? { actions: prefixes.map((prefix) => `${prefix}*`) } : {}),
    ...(outcomes?.length ? { outcomes } : {}),
  };
}

function stampOf(event: StoredEvent): number {
  return Date.parse(event.ingest.indexed_at ?? event.received_at);
}

/**
 * Delivers every active stream: reads the gap-free tail after the stream's cursor, sends a
 * batch (bounded by size, and by time from its oldest event), and moves the cursor by
 * compare-and-set only after the destination acknowledged — at least once, in order per
 * stream, nothing lost across restarts. Each stream is delivered by one replica at a time
 * (StreamLeases); failing streams back off with jitter, honour Retry-After and pause
 * themselves after `pause_after_failing_seconds`.
 */
@Injectable()
export class StreamRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamRunner.name);
  private readonly leases: StreamLeases;
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly stopping = new AbortController();
  private discovery?: NodeJS.Timeout;
  private readonly lag: Gauge<'stream'>;
  private readonly delivered: Counter<'stream'>;
  private readonly failures: Counter<'stream' | 'kind'>;
  private readonly status: Gauge<'stream' | 'status'>;

  constructor(
    private readonly repository: StreamRepository,
    private readonly tail: EventTailReader,
    private readonly senders: StreamSenders,
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.leases = new StreamLeases(redis, config.redis.keyPrefix, LEASE_MS);
    const registers = [metrics.registry];
    this.lag = new Gauge({
      name: 'auditlog_stream_lag_seconds',
      help: 'Age of the oldest event a stream has not delivered yet (0 when caught up)',
      labelNames: ['stream'],
      registers,
    });
    this.delivered = new Counter({
      name: 'auditlog_stream_delivered_events_total',
      help: 'Events a stream delivered (acknowledged by the destination) from this replica',
      labelNames: ['stream'],
      registers,
    });
    this.failures = new Counter({
      name: 'auditlog_stream_failures_total',
      help: 'Failed delivery attempts by kind: retry (transient) or rejected (the batch itself)',
      labelNames: ['stream', 'kind'],
      registers,
    });
    this.status = new Gauge({
      name: 'auditlog_stream_status',
      help: '1 for the status each stream delivered by this replica is in',
      labelNames: ['stream', 'status'],
      registers,
    });
  }

  onApplicationBootstrap(): void {
    const discover = () => {
      void this.discover()
        .catch((error: unknown) => this.logger.warn(`stream discovery: ${String(error)}`))
        .finally(() => {
          if (!this.stopped) this.discovery = setTimeout(discover, DISCOVERY_MS);
        });
    };
    discover();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.discovery);
    await Promise.all(this.running.values());
    await this.senders.closeAll();
  }

  /** Starts a delivery loop for every deliverable stream whose lease this replica gets. */
  private async discover(): Promise<void> {
    const streams = await this.repository.list();
    for (const stream of streams) {
      if (this.stopped || this.running.has(stream.id) || stream.state.status === 'paused') continue;
      if (!(await this.leases.acquire(stream.id))) continue;
      const loop = this.deliver(stream.id).finally(() => {
        this.running.delete(stream.id);
        void this.leases.release(stream.id);
        void this.senders.close(stream.id);
      });
      this.running.set(stream.id, loop);
    }
  }

  private async deliver(streamId: string): Promise<void> {
    while (!this.stopped) {
      if (!(await this.leases.renew(streamId).catch(() => false))) return;
      let step: Step;
      try {
        step = await this.step(streamId);
      } catch (error) {
        this.logger.warn(`stream ${streamId}: ${String(error)}`);
        step = { kind: 'again', waitMs: IDLE_POLL_MS * 4 };
      }
      if (step.kind === 'stop') return;
      if (step.waitMs > 0) await this.sleep(step.waitMs);
    }
  }

  /** One read of the tail and, when a batch is due, one delivery attempt. */
  private async step(streamId: string): Promise<Step> {
    const current = await this.repository.get(streamId);
    if (!current) return { kind: 'stop' };
    const { stream, version } = current;
    this.showStatus(stream);
    if (stream.state.status === 'paused') return { kind: 'stop' };

    const page = await this.tail.read({
      companies: stream.company_id === null ? 'all' : [stream.company_id],
      filters: tailFilters(stream),
      after: stream.state.cursor ?? undefined,
      since: stream.state.cursor ? undefined : stream.state.start_at,
      limit: stream.batch.max_events,
      settleMs: this.config.tail.settleMs,
    });
    const [first] = page.events;
    const last = page.events.at(-1);
    const poll = Math.min(IDLE_POLL_MS, stream.batch.max_wait_ms);
    if (first === undefined || last === undefined || page.next === undefined) {
      this.lag.set({ stream: stream.id }, 0);
      return { kind: 'again', waitMs: poll };
    }
    const oldestAge = Date.now() - stampOf(first);
    this.lag.set({ stream: stream.id }, oldestAge / 1000);
    const full = page.events.length >= stream.batch.max_events;
    if (!full && oldestAge < stream.batch.max_wait_ms) {
      return { kind: 'again', waitMs: Math.min(poll, stream.batch.max_wait_ms - oldestAge) };
    }

    const batch: SentBatch = {
      count: page.events.length,
      first: { company_id: first.company_id, id: first.id },
      last: { company_id: last.company_id, id: last.id },
      next: page.next,
    };
    const result = await this.send(stream, page.events);
    const now = new Date();
    const transition = afterDelivery(stream, batch, result, now, this.config.streams.retryMaxMs);
    const state = {
      ...transition.state,
      lag_seconds: result.kind === 'delivered' ? 0 : oldestAge / 1000,
    };
    if (result.kind === 'delivered') this.delivered.inc({ stream: stream.id }, batch.count);
    else {
      this.failures.inc({ stream: stream.id, kind: result.kind });
      this.logger.warn(
        `stream ${stream.id}: ${result.kind} ${result.status ?? ''} ${result.error}`,
      );
    }
    if (!(await this.repository.compareAndSetState(stream.id, version, state))) {
      // An admin changed the stream meanwhile (pause, replay, edit): read it again. A
      // delivered batch is then sent once more at most: at least once.
      return { kind: 'again', waitMs: 0 };
    }
    this.showStatus({ ...stream, state });
    if (state.status === 'paused') {
      this.logger.warn(`stream ${stream.id} paused: ${state.paused_reason ?? ''}`);
      return { kind: 'stop' };
    }
    return { kind: 'again', waitMs: transition.waitMs };
  }

  private async send(stream: StoredStream, events: StoredEvent[]): Promise<DeliveryResult> {
    try {
      const destination = await this.senders.for(stream);
      return await destination.deliver(events.map(toOwnerView));
    } catch (error) {
      // A sender that cannot be built or throws (undecryptable secrets, a bad definition)
      // fails like a transient error, so the stream backs off and pauses itself with it.
      return { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
  }

  private showStatus(stream: StoredStream): void {
    for (const status of ['active', 'failing', 'paused'] as const) {
      this.status.set({ stream: stream.id, status }, stream.state.status === status ? 1 : 0);
    }
  }

  /** Waits `ms`, or less when the worker shuts down. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopping.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
