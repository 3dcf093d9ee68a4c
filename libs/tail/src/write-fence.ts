import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  type EventWriteFence,
  type FencedWrite,
  StorageUnavailableError,
} from '@auditlog/opensearch';
import { MetricsService, REDIS_CLIENT } from '@auditlog/platform';

/**
 * The in-flight event writes of every process, in one Redis sorted set scored by stamp.
 * A write is registered before its `_bulk` is sent and stays registered for the settle
 * delay after it settled (the refresh that makes it searchable); readers never hand out
 * an event stamped at or after the oldest registered write (docs/adr/0100).
 */
@Injectable()
export class RedisWriteFence implements EventWriteFence {
  private readonly logger = new Logger(RedisWriteFence.name);
  private readonly key: string;
  private readonly instance = randomBytes(6).toString('hex');
  private sequence = 0;
  private readonly settleMs: number;
  private readonly maxWriteMs: number;
  private readonly unfenced;
  private lastWarning = 0;
  /** Whether Redis has answered since start: until then a write waits for the first connect. */
  private connectedOnce: boolean;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    this.key = `${config.redis.keyPrefix}:tail:in-flight`;
    this.settleMs = config.tail.settleMs;
    this.maxWriteMs = config.tail.maxWriteMs;
    this.connectedOnce = redis.status === 'ready';
    redis.on('ready', () => {
      this.connectedOnce = true;
    });
    this.unfenced = metrics.counter(
      'auditlog_tail_unfenced_writes_total',
      'Event writes sent without registering in Redis (Redis unavailable): a tail reader may miss them if they become searchable later than the settle delay',
    );
  }

  async open(): Promise<FencedWrite> {
    // Once Redis has gone away, a registration would wait in the client's queue through
    // its reconnect attempts (seconds each), holding the write and its producers: the
    // write goes on unfenced at once instead, as when the registration fails.
    if (this.connectedOnce && this.redis.status !== 'ready') {
      this.warnUnfenced(new Error(`the connection is ${this.redis.status}`));
      return { stamp: Date.now(), close: () => undefined };
    }
    const member = `${this.instance}:${(this.sequence += 1)}`;
    // The stamp is taken before registering; a registration slower than half the settle
    // delay is redone with a fresh stamp, so no reader can have passed it meanwhile.
    for (;;) {
      const stamp = Date.now();
      try {
        await this.redis.zadd(this.key, stamp, member);
      } catch (error) {
        this.warnUnfenced(error);
        return { stamp, close: () => undefined };
      }
      if (Date.now() - stamp < this.settleMs / 2) {
        return { stamp, close: () => this.closeLater(member) };
      }
    }
  }

  /**
   * The oldest stamp still registered, ignoring registrations older than the longest write
   * (their process died before it could remove them); undefined when none is open.
   */
  async oldestOpen(now: number): Promise<number | undefined> {
    try {
      const abandoned = now - this.maxWriteMs;
      const [, oldest] = await this.redis
        .multi()
        .zremrangebyscore(this.key, '-inf', `(${abandoned}`)
        .zrangebyscore(this.key, abandoned, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
        .exec()
        .then((results) => {
          const failed = results?.find(([error]) => error);
          if (!results || failed) throw failed?.[0] ?? new Error('transaction discarded');
          return results.map(([, value]) => value) as [number, string[]];
        });
      const score = oldest[1];
      return score === undefined ? undefined : Number(score);
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
  }

  private closeLater(member: string): void {
    setTimeout(() => {
      this.redis.zrem(this.key, member).catch(() => undefined);
    }, this.settleMs).unref();
  }

  private warnUnfenced(error: unknown): void {
    this.unfenced.inc();
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`writing events unfenced, Redis unavailable: ${String(error)}`);
  }
}
