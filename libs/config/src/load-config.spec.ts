import { ConfigError, loadConfig } from './load-config';

const base = {
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  INGEST_API_KEYS: `producer:${'a'.repeat(64)}:*`,
  AUTH_JWT_SECRET: 's'.repeat(32),
};

function problemsOf(app: Parameters<typeof loadConfig>[0], env: Record<string, string>): string[] {
  try {
    loadConfig(app, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('builds a typed config with documented defaults', () => {
    const config = loadConfig('ingest', base);
    expect(config.port).toBe(3001);
    expect(config.opensearch.indexPrefix).toBe('auditlog');
    expect(config.retention.defaultClass).toBe('90d');
    expect(config.retention.classes.map((retention) => retention.name)).toEqual([
      '7d',
      '30d',
      '90d',
      '1y',
      '2y',
    ]);
    expect(config.ingest.keys).toEqual([
      { id: 'producer', sha256: 'a'.repeat(64), companies: '*' },
    ]);
    expect(config.ingest.maxBatchEvents).toBe(5000);
  });

  it('lists every bad key at once', () => {
    const problems = problemsOf('query', {
      OPENSEARCH_URL: 'not a url',
      REDIS_URL: 'http://wrong-scheme',
      PORT: 'eighty',
      RETENTION_CLASSES: '7 days',
      AUTH_JWT_SECRET: 'short',
    });
    const keys = problems.map((problem) => problem.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'OPENSEARCH_URL',
        'REDIS_URL',
        'PORT',
        'RETENTION_CLASSES',
        'AUTH_JWT_SECRET',
      ]),
    );
  });

  it('requires ingest keys for ingest and a JWT key source for query and export', () => {
    expect(problemsOf('ingest', { ...base, INGEST_API_KEYS: '' })).toEqual([
      expect.stringMatching(/^INGEST_API_KEYS: at least one/),
    ]);
    expect(problemsOf('export', { ...base, AUTH_JWT_SECRET: '' })).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET: one of/),
    ]);
  });

  it('rejects a default retention class that is not configured', () => {
    expect(
      problemsOf('query', { ...base, RETENTION_CLASSES: '7d,30d', DEFAULT_RETENTION_CLASS: '1y' }),
    ).toEqual(['DEFAULT_RETENTION_CLASS: "1y" is not one of RETENTION_CLASSES']);
  });

  it('reads storage and retention settings with documented defaults', () => {
    const defaults = loadConfig('setup', {
      OPENSEARCH_URL: base.OPENSEARCH_URL,
      REDIS_URL: base.REDIS_URL,
    });
    expect(defaults.opensearch).toMatchObject({ shards: 1, replicas: 0 });
    expect(defaults.retention).toMatchObject({
      readOnlyAfterDays: 30,
      sweepIntervalSeconds: 3600,
      companyCacheSeconds: 30,
    });
    const set = loadConfig('query', {
      ...base,
      OPENSEARCH_INDEX_REPLICAS: '1',
      RETENTION_READ_ONLY_AFTER_DAYS: '3',
      RETENTION_SWEEP_INTERVAL_SECONDS: '0',
      COMPANY_SETTINGS_CACHE_SECONDS: '5',
    });
    expect(set.opensearch.replicas).toBe(1);
    expect(set.retention).toMatchObject({
      readOnlyAfterDays: 3,
      sweepIntervalSeconds: 0,
      companyCacheSeconds: 5,
    });
    const keys = problemsOf('query', {
      ...base,
      OPENSEARCH_INDEX_SHARDS: '0',
      RETENTION_READ_ONLY_AFTER_DAYS: 'two',
      COMPANY_SETTINGS_CACHE_SECONDS: '-1',
    }).map((problem) => problem.split(':')[0]);
    expect(keys.sort()).toEqual([
      'COMPANY_SETTINGS_CACHE_SECONDS',
      'OPENSEARCH_INDEX_SHARDS',
      'RETENTION_READ_ONLY_AFTER_DAYS',
    ]);
  });

  it('reads the query limits and cursor secret', () => {
    expect(loadConfig('query', base).query).toEqual({
      maxWindowDays: 93,
      maxLookbackDays: 366,
      maxHistogramBuckets: 1000,
      cursorSecret: undefined,
    });
    const config = loadConfig('query', {
      ...base,
      QUERY_MAX_WINDOW_DAYS: '31',
      QUERY_MAX_LOOKBACK_DAYS: '730',
      QUERY_MAX_HISTOGRAM_BUCKETS: '500',
      QUERY_CURSOR_SECRET: 'c'.repeat(32),
    });
    expect(config.query).toEqual({
      maxWindowDays: 31,
      maxLookbackDays: 730,
      maxHistogramBuckets: 500,
      cursorSecret: 'c'.repeat(32),
    });
    const keys = problemsOf('query', {
      ...base,
      QUERY_MAX_WINDOW_DAYS: '0',
      QUERY_MAX_LOOKBACK_DAYS: 'a year',
      QUERY_CURSOR_SECRET: 'short',
    }).map((problem) => problem.split(':')[0]);
    expect(keys).toEqual([
      'QUERY_MAX_WINDOW_DAYS',
      'QUERY_MAX_LOOKBACK_DAYS',
      'QUERY_CURSOR_SECRET',
    ]);
  });
});

describe('loadConfig egress settings', () => {
  it('refuses private destinations and allows no extra network by default', () => {
    expect(loadConfig('export-worker', base).egress).toEqual({
      allowPrivate: false,
      allowedCidrs: [],
    });
    expect(loadConfig('export-worker', base).export.webhookTimeoutMs).toBe(10_000);
  });

  it('reads EGRESS_ALLOW_PRIVATE, EGRESS_ALLOWED_CIDRS and the webhook timeout', () => {
    const config = loadConfig('export', {
      ...base,
      EGRESS_ALLOW_PRIVATE: 'true',
      EGRESS_ALLOWED_CIDRS: '127.0.0.0/8, ::1/128 169.254.169.254',
      EXPORT_WEBHOOK_TIMEOUT_SECONDS: '3',
    });
    expect(config.egress).toEqual({
      allowPrivate: true,
      allowedCidrs: ['127.0.0.0/8', '::1/128', '169.254.169.254'],
    });
    expect(config.export.webhookTimeoutMs).toBe(3000);
  });

  it('names every bad network and a bad flag', () => {
    expect(
      problemsOf('export', {
        ...base,
        EGRESS_ALLOW_PRIVATE: 'yes',
        EGRESS_ALLOWED_CIDRS: '10.0.0.0/8,10.0.0.0/33,localhost,fd00::/129,1.2.3.4/8/8',
        EXPORT_WEBHOOK_TIMEOUT_SECONDS: '0',
      }),
    ).toEqual([
      'EXPORT_WEBHOOK_TIMEOUT_SECONDS: must not be less than 1',
      'EGRESS_ALLOW_PRIVATE: must be a boolean value',
      ...['10.0.0.0/33', 'localhost', 'fd00::/129', '1.2.3.4/8/8'].map(
        (entry) =>
          `EGRESS_ALLOWED_CIDRS: "${entry}" is not a network like 10.0.0.0/8, fd00::/8 or 127.0.0.1`,
      ),
    ]);
  });
});

describe('loadConfig viewer settings', () => {
  const line = `host:${'b'.repeat(64)}:acme|globex`;

  it('reads viewer-token keys in the ingest-key format, the session secret and console URL', () => {
    const config = loadConfig('query', {
      ...base,
      VIEWER_TOKEN_KEYS: line,
      VIEWER_SESSION_SECRET: 'v'.repeat(32),
      CONSOLE_PUBLIC_URL: 'https://audit.example.com/',
    });
    expect(config.viewer).toEqual({
      tokenKeys: [{ id: 'host', sha256: 'b'.repeat(64), companies: ['acme', 'globex'] }],
      sessionSecret: 'v'.repeat(32),
      consolePublicUrl: 'https://audit.example.com',
    });
    expect(loadConfig('query', base).viewer).toEqual({
      tokenKeys: [],
      sessionSecret: undefined,
      consolePublicUrl: undefined,
    });
  });

  it('names bad viewer settings', () => {
    const keys = problemsOf('query', {
      ...base,
      VIEWER_TOKEN_KEYS: 'host:nothex:*',
      VIEWER_SESSION_SECRET: 'short',
      CONSOLE_PUBLIC_URL: 'not a url',
    }).map((problem) => problem.split(':')[0]);
    expect(keys.sort()).toEqual([
      'CONSOLE_PUBLIC_URL',
      'VIEWER_SESSION_SECRET',
      'VIEWER_TOKEN_KEYS',
    ]);
  });

  it('needs a session secret for viewer-token keys when tokens are verified by public key', () => {
    const { AUTH_JWT_SECRET: _secret, ...publicKeyMode } = {
      ...base,
      AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
      VIEWER_TOKEN_KEYS: line,
    };
    expect(problemsOf('query', publicKeyMode)).toEqual([
      expect.stringMatching(/^VIEWER_SESSION_SECRET: required with VIEWER_TOKEN_KEYS/),
    ]);
    expect(
      problemsOf('query', { ...publicKeyMode, VIEWER_SESSION_SECRET: 'v'.repeat(32) }),
    ).toEqual([]);
  });
});
