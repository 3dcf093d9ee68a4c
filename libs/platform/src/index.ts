export * from './http/problem.filter';
export * from './http/query-params';
export * from './logging/logging';
export * from './metrics/metrics.service';
export * from './redis.provider';
export * from './platform.module';
export * from './create-app';
export * from './openapi';
