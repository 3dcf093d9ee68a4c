import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { Client } from '@opensearch-project/opensearch';
import type { Redis } from 'ioredis';
import { OPENSEARCH_CLIENT } from '@auditlog/storage';
import { REDIS_CLIENT } from '../redis.provider';

const CHECK_TIMEOUT_MS = 3_000;

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
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.probe('opensearch', async () => {
          const { body } = await this.opensearch.cluster.health({ timeout: '2s' });
          if (body.status === 'red') throw new Error('cluster status is red');
        }),
      () =>
        this.probe('redis', async () => {
          if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
        }),
    ]);
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
