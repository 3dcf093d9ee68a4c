import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@auditlog/auth';
import type { Env } from '@auditlog/config';

export interface TestKey {
  id: string;
  secret: string;
  companies: '*' | string[];
}

/** `Id` names the suite's ingest keys, so `keys.<id>` needs no check. */
export interface TestEnvironment<Id extends string = string> {
  env: Env;
  indexPrefix: string;
  jwtSecret: string;
  keys: Record<Id, TestKey>;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function keyLine(key: TestKey): string {
  const companies = key.companies === '*' ? '*' : key.companies.join('|');
  return `${key.id}:${sha256Hex(key.secret)}:${companies}`;
}

/**
 * A fresh, isolated configuration for one suite: its own index prefix and Redis key
 * prefix against the services that the global setup provisioned.
 */
export function testEnvironment<Id extends string = 'any'>(
  suite: string,
  keys?: Array<Omit<TestKey, 'secret'> & { id: Id }>,
  overrides: Env = {},
): TestEnvironment<Id> {
  const opensearchUrl = process.env.OPENSEARCH_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!opensearchUrl || !redisUrl) {
    throw new Error(
      'OPENSEARCH_URL and REDIS_URL are unset: run end-to-end tests through `npm run test:e2e`',
    );
  }
  const unique = `${suite}-${randomBytes(3).toString('hex')}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const indexPrefix = `t-${unique}`;
  // Without keys, Id stays at its default 'any', the one key made here.
  const specs = keys ?? [{ id: 'any', companies: '*' }];
  const withSecrets = Object.fromEntries(
    specs.map((key) => [key.id, { ...key, secret: newSecret() }]),
  ) as Record<Id, TestKey>;
  const jwtSecret = newSecret();
  return {
    indexPrefix,
    jwtSecret,
    keys: withSecrets,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      OPENSEARCH_URL: opensearchUrl,
      // 1 on the local cluster of the cluster suite, so its indices are replicated.
      OPENSEARCH_INDEX_REPLICAS: process.env.OPENSEARCH_INDEX_REPLICAS ?? '0',
      OPENSEARCH_INDEX_PREFIX: indexPrefix,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: indexPrefix,
      INGEST_API_KEYS: Object.values<TestKey>(withSecrets).map(keyLine).join(','),
      AUTH_JWT_SECRET: jwtSecret,
      ...overrides,
    },
  };
}
