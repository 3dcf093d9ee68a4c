import {
  type DynamicModule,
  Global,
  type InjectionToken,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig, ConfigModule } from '@auditlog/config';
import { HealthController } from './health/health.controller';
import { READINESS_PROBES, type ReadinessProbe } from './health/readiness';
import { ProblemFilter } from './http/problem.filter';
import { ProblemValidationPipe } from './http/validation.pipe';
import { loggerParams } from './logging/logging';
import { HttpMetricsGuard } from './metrics/http-metrics.guard';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { createRedisClient, REDIS_CLIENT } from './redis.provider';

/**
 * What every app shares: typed config, JSON logs with request ids, problem+json errors,
 * the Redis client, health and metrics endpoints. Storage comes from the app's own module
 * (OpenSearchModule with the indices it owns); its probe joins readiness via `readiness`.
 */
export interface PlatformOptions {
  /** Serve /health and /metrics over HTTP (default true; workers have no HTTP). */
  http?: boolean;
  /** Providers checked by /health/ready besides Redis, e.g. OpenSearchHealth. */
  readiness?: InjectionToken<ReadinessProbe>[];
}

@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  static forRoot(config: AppConfig, options: PlatformOptions = {}): DynamicModule {
    const readiness = options.readiness ?? [];
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: options.http === false ? [] : [HealthController, MetricsController],
      providers: [
        MetricsService,
        { provide: REDIS_CLIENT, inject: [], useFactory: () => createRedisClient(config) },
        {
          provide: READINESS_PROBES,
          inject: readiness,
          useFactory: (...probes: ReadinessProbe[]) => probes,
        },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ProblemValidationPipe },
        { provide: APP_GUARD, useClass: HttpMetricsGuard },
      ],
      exports: [MetricsService, REDIS_CLIENT],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
