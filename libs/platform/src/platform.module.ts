import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig, ConfigModule } from '@auditlog/config';
import { StorageModule } from '@auditlog/storage';
import { HealthController } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { ProblemValidationPipe } from './http/validation.pipe';
import { loggerParams } from './logging/logging';
import { HttpMetricsInterceptor } from './metrics/http-metrics.interceptor';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { createRedisClient, REDIS_CLIENT } from './redis.provider';

/**
 * What every app shares: typed config, JSON logs with request ids, problem+json errors,
 * OpenSearch and Redis clients, health and metrics endpoints.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  static forRoot(config: AppConfig, options: { http: boolean } = { http: true }): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        StorageModule,
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: options.http ? [HealthController, MetricsController] : [],
      providers: [
        MetricsService,
        { provide: REDIS_CLIENT, inject: [], useFactory: () => createRedisClient(config) },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ProblemValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
      ],
      exports: [MetricsService, REDIS_CLIENT],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
