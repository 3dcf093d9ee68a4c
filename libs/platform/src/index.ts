export * from './http/problem';
export * from './http/problem.filter';
export * from './logging/logging';
export * from './metrics/metrics.service';
export * from './redis.provider';
export * from './platform.module';
export * from './create-app';
export * from './openapi';
