import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { Client } from '@opensearch-project/opensearch';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig, type AppName } from '@auditlog/config';
import { OPENSEARCH_CLIENT } from '@auditlog/storage';
import { REDIS_CLIENT } from '../redis.provider';

const CHECK_TIMEOUT_MS = 3_000;

/**
 * Whether an app cannot serve without Redis. Ingest never uses it: were its readiness
 * tied to Redis, a Redis outage would take every ingest pod out of its Service although
 * ingest itself would keep working (test/faults/redis-outage.e2e-spec.ts).
 */
const READY_NEEDS_REDIS: Record<AppName, boolean> = {
  ingest: false,
  query: true,
  export: true,
  'export-worker': true,
  setup: false,
};

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(OPENSEARCH_CLIENT) private readonly opensearch: Client,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const opensearch = () =>
      this.probe('opensearch', async () => {
        const { body } = await this.opensearch.cluster.health({ timeout: '2s' });
        if (body.status === 'red') throw new Error('cluster status is red');
      });
    const redis = () =>
      this.probe('redis', async () => {
        if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
      });
    return this.health.check(
      READY_NEEDS_REDIS[this.config.app] ? [opensearch, redis] : [opensearch],
    );
  }

  private async probe(name: string, check: () => Promise<void>) {
    const indicator = this.indicators.check(name);
    try {
      await withTimeout(check());
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
