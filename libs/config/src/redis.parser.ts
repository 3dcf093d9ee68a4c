import { readFileSync } from 'node:fs';
import type { RedisConfig, RedisSentinel } from './app-config';
import type { EnvSchema } from './env.schema';

export const DEFAULT_SENTINEL_NAME = 'mymaster';

/** `host:port,host:port` (shape already checked by the schema). */
export function parseSentinels(list: string): RedisSentinel[] {
  return list.split(',').map((entry) => {
    const [host = '', port] = entry.trim().split(':');
    return { host, port: Number(port) };
  });
}

function readCa(file: string | undefined, problems: string[]): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`REDIS_TLS_CA: cannot read ${file} (${String(error)})`);
    return undefined;
  }
}

/** One Redis (REDIS_URL) or the master that Sentinels name (REDIS_SENTINELS). */
export function readRedisConfig(env: EnvSchema, problems: string[]): RedisConfig {
  const sentinels = env.REDIS_SENTINELS ? parseSentinels(env.REDIS_SENTINELS) : undefined;
  if (sentinels?.some((sentinel) => sentinel.port < 1 || sentinel.port > 65_535)) {
    problems.push('REDIS_SENTINELS: every port must be between 1 and 65535');
  }
  if (sentinels && env.REDIS_URL) {
    problems.push('REDIS_URL: set either REDIS_URL or REDIS_SENTINELS, not both');
  }
  return {
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX ?? 'auditlog',
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    sentinels,
    sentinelName: env.REDIS_SENTINEL_NAME ?? DEFAULT_SENTINEL_NAME,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    tls: env.REDIS_TLS ?? env.REDIS_URL?.startsWith('rediss:') ?? false,
    tlsCa: readCa(env.REDIS_TLS_CA, problems),
  };
}
