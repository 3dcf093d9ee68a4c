import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../redis.provider';
import { READINESS_PROBES, type ReadinessProbe } from './readiness';

const CHECK_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_PROBES) private readonly probes: readonly ReadinessProbe[],
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: OpenSearch and Redis answer (503 when not)' })
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      ...this.probes.map((probe) => () => this.probe(probe.name, () => probe.check())),
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
