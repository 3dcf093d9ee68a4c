import type { ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '@auditlog/config';

/** What differs between connections: how long a command may wait for a reconnect, and so on. */
export type RedisBehaviour = Pick<
  RedisOptions,
  'maxRetriesPerRequest' | 'lazyConnect' | 'enableOfflineQueue' | 'connectTimeout'
>;

function tlsOptions(config: RedisConfig): ConnectionOptions | undefined {
  if (!config.tls) return undefined;
  return config.tlsCa ? { ca: config.tlsCa } : {};
}

/**
 * The ioredis options for one Redis or for the master the Sentinels name. With Sentinels a
 * failover is followed: ioredis asks them again on every reconnect, and the failover
 * detector reconnects as soon as they announce a new master, instead of after a timeout.
 */
export function redisOptions(config: RedisConfig, behaviour: RedisBehaviour): RedisOptions {
  const tls = tlsOptions(config);
  const common: RedisOptions = {
    ...behaviour,
    username: config.username,
    password: config.password,
  };
  if (config.sentinels) {
    return {
      ...common,
      sentinels: config.sentinels,
      name: config.sentinelName,
      sentinelPassword: config.sentinelPassword,
      failoverDetector: true,
      // A command sent to a replica during a failover is answered READONLY: reconnect.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
      ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    };
  }
  return { ...common, ...(tls ? { tls } : {}) };
}

/** The one place a Redis connection is made: REDIS_URL, or the master REDIS_SENTINELS name. */
export function createRedisConnection(config: RedisConfig, behaviour: RedisBehaviour): Redis {
  const options = redisOptions(config, behaviour);
  if (config.sentinels) return new Redis(withoutUnset(options));
  if (!config.url) throw new Error('REDIS_URL or REDIS_SENTINELS is required');
  // Options given here win over the URL's, so REDIS_PASSWORD overrides a password in it.
  return new Redis(config.url, withoutUnset(options));
}

function withoutUnset(options: RedisOptions): RedisOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
