import { Redis } from 'ioredis';
import type { AppConfig } from '@auditlog/config';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export function createRedisClient(config: AppConfig): Redis {
  return new Redis(config.redis.url, {
    lazyConnect: true,
    // Fail fast instead of queueing commands forever while Redis is away.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
  });
}
