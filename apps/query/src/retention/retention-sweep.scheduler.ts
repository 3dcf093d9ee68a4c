import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { MetricsService, REDIS_CLIENT } from '@auditlog/platform';
import { IsmService, RetentionSweeper, type SweepResult } from '@auditlog/storage';

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export type SweepRun =
  { status: 'swept'; result: SweepResult } | { status: 'skipped'; reason: string };

/**
 * Runs the retention sweeper every RETENTION_SWEEP_INTERVAL_SECONDS where ISM is absent.
 * A Redis lock lets one replica sweep at a time; the sweep itself is idempotent, so an
 * expired lock can only cause repeated, harmless work.
 */
@Injectable()
export class RetentionSweepScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionSweepScheduler.name);
  private readonly deletedIndices: Counter<'retention_class'>;
  private readonly sweeps: Counter<'status'>;
  private readonly lockKey: string;
  private readonly lockMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly sweeper: RetentionSweeper,
    private readonly ism: IsmService,
    private readonly registry: SchedulerRegistry,
    metrics: MetricsService,
  ) {
    this.deletedIndices = metrics.counter(
      'auditlog_retention_indices_deleted_total',
      'Events indices deleted by the retention sweeper',
      ['retention_class'],
    );
    this.sweeps = metrics.counter('auditlog_retention_sweeps_total', 'Retention sweeper runs', [
      'status',
    ]);
    this.lockKey = `${config.redis.keyPrefix}:retention-sweep-lock`;
    this.lockMs = Math.max(config.retention.sweepIntervalSeconds * 1000, 60_000);
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.retention.sweepIntervalSeconds;
    if (seconds === 0) return;
    const interval = setInterval(() => {
      this.runOnce().catch((error: unknown) =>
        this.logger.error(`retention sweep failed: ${String(error)}`),
      );
    }, seconds * 1000);
    interval.unref();
    this.registry.addInterval('retention-sweep', interval);
  }

  async runOnce(now = new Date()): Promise<SweepRun> {
    if (await this.ism.available()) return this.skipped('ISM enforces retention');
    const token = randomUUID();
    const locked = await this.redis.set(this.lockKey, token, 'PX', this.lockMs, 'NX');
    if (locked !== 'OK') return this.skipped('another replica is sweeping');
    try {
      const result = await this.sweeper.sweep(now);
      for (const deleted of result.deleted)
        this.deletedIndices.inc({ retention_class: deleted.retentionClass });
      this.sweeps.inc({ status: 'swept' });
      return { status: 'swept', result };
    } catch (error) {
      this.sweeps.inc({ status: 'failed' });
      throw error;
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, this.lockKey, token);
    }
  }

  private skipped(reason: string): SweepRun {
    this.sweeps.inc({ status: 'skipped' });
    return { status: 'skipped', reason };
  }
}
