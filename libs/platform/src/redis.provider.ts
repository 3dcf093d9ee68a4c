import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@auditlog/config';
import { createRedisConnection } from '@auditlog/redis';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export function createRedisClient(config: AppConfig): Redis {
  const logger = new Logger('Redis');
  const client = createRedisConnection(config.redis, {
    lazyConnect: true,
    // Fail fast instead of queueing commands forever while Redis is away.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
  });
  // Without a listener ioredis prints every failed reconnect to stderr; readiness reports
  // the outage, the log keeps one line per attempt (at most one every 2 s).
  client.on('error', (error: Error) => logger.warn(`unavailable: ${error.message}`));
  return client;
}
