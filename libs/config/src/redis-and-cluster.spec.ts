import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from './load-config';

const base = {
  INGEST_API_KEYS: `producer:${'a'.repeat(64)}:*`,
  AUTH_JWT_SECRET: 's'.repeat(32),
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig('ingest', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('OpenSearch cluster settings', () => {
  it('takes several comma-separated node URLs', () => {
    const config = loadConfig('ingest', {
      ...base,
      REDIS_URL: 'redis://r:6379',
      OPENSEARCH_URL: 'http://a:9200, http://b:9200,http://c:9200',
    });
    expect(config.opensearch.nodes).toEqual(['http://a:9200', 'http://b:9200', 'http://c:9200']);
  });

  it('refuses a list with a bad URL in it', () => {
    const problems = problemsOf({
      ...base,
      REDIS_URL: 'redis://r:6379',
      OPENSEARCH_URL: 'http://a:9200,b:9200',
    });
    expect(problems.join('\n')).toContain('OPENSEARCH_URL');
  });

  it.each([
    ['0', 1],
    ['1', 2],
    ['2', 2],
    ['3', 3],
  ])('with %s replicas a write must reach a majority of the copies: %d', (replicas, copies) => {
    const config = loadConfig('ingest', {
      ...base,
      REDIS_URL: 'redis://r:6379',
      OPENSEARCH_INDEX_REPLICAS: replicas,
    });
    expect(config.opensearch.writeCopies).toBe(copies);
  });

  it('takes an explicit wait_for_active_shards, but never more than the copies there are', () => {
    const env = { ...base, REDIS_URL: 'redis://r:6379', OPENSEARCH_INDEX_REPLICAS: '2' };
    expect(
      loadConfig('ingest', { ...env, OPENSEARCH_WAIT_FOR_ACTIVE_SHARDS: '1' }).opensearch
        .writeCopies,
    ).toBe(1);
    expect(problemsOf({ ...env, OPENSEARCH_WAIT_FOR_ACTIVE_SHARDS: '4' })).toEqual([
      'OPENSEARCH_WAIT_FOR_ACTIVE_SHARDS: 4 is more than the 3 copies of a shard (OPENSEARCH_INDEX_REPLICAS=2)',
    ]);
  });
});

describe('Redis settings', () => {
  it('one Redis by URL; TLS follows rediss://', () => {
    expect(loadConfig('ingest', { ...base, REDIS_URL: 'redis://r:6379' }).redis).toMatchObject({
      url: 'redis://r:6379',
      tls: false,
      sentinels: undefined,
    });
    expect(loadConfig('ingest', { ...base, REDIS_URL: 'rediss://r:6380' }).redis.tls).toBe(true);
  });

  it('Sentinels instead of a URL, with the master name, passwords and TLS', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-ca-'));
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const redis = loadConfig('ingest', {
      ...base,
      REDIS_SENTINELS: 's1:26379, s2:26380,s3:26381',
      REDIS_SENTINEL_NAME: 'auditlog',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_PASSWORD: 'redis-secret',
      REDIS_TLS: 'true',
      REDIS_TLS_CA: ca,
    }).redis;
    expect(redis).toMatchObject({
      url: undefined,
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: 's3', port: 26381 },
      ],
      sentinelName: 'auditlog',
      sentinelPassword: 'sentinel-secret',
      password: 'redis-secret',
      tls: true,
    });
    expect(redis.tlsCa).toContain('BEGIN CERTIFICATE');
    fs.rmSync(dir, { recursive: true });
  });

  it('names the master "mymaster" unless told otherwise', () => {
    expect(loadConfig('ingest', { ...base, REDIS_SENTINELS: 's1:26379' }).redis.sentinelName).toBe(
      'mymaster',
    );
  });

  it('needs a URL or Sentinels, not both, and well-formed Sentinels and CA', () => {
    expect(problemsOf(base).join('\n')).toContain('REDIS_URL');
    expect(problemsOf({ ...base, REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's1:1' })).toEqual([
      'REDIS_URL: set either REDIS_URL or REDIS_SENTINELS, not both',
    ]);
    expect(problemsOf({ ...base, REDIS_SENTINELS: 's1' })).toEqual([
      'REDIS_SENTINELS: must be host:port pairs separated by commas',
    ]);
    expect(problemsOf({ ...base, REDIS_SENTINELS: 's1:70000' })).toEqual([
      'REDIS_SENTINELS: every port must be between 1 and 65535',
    ]);
    expect(
      problemsOf({ ...base, REDIS_URL: 'redis://r:6379', REDIS_TLS_CA: '/nonexistent/ca.pem' })[0],
    ).toMatch(/^REDIS_TLS_CA: cannot read \/nonexistent\/ca.pem/);
  });
});
