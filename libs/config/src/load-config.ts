import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { type AppConfig, type AppName, DEFAULT_PORTS, type IngestKeyRecord } from './app-config';
import { EnvSchema } from './env.schema';
import { parseIngestKeys } from './ingest-keys.parser';
import { readIntegrityConfig } from './integrity.parser';
import { parseCidrs } from './cidrs.parser';
import { parseOrigins } from './origins.parser';
import { readRedisConfig } from './redis.parser';
import { parseRetentionClasses } from './retention.parser';
import { readStreamSecretKeys } from './stream-secrets.parser';

export type Env = Record<string, string | undefined>;

export const DEFAULT_RETENTION_CLASSES = '7d,30d,90d,1y,2y';
export const DEFAULT_RETENTION_CLASS = '90d';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** One line per bad key: `KEY: what is wrong`. */
function describe(errors: ValidationError[]): string[] {
  return errors.map((error) => {
    const messages = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    );
    return `${error.property}: ${messages.reverse().join('; ')}`;
  });
}

const DURATION_UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `30s`, `15m`, `12h`, `7d` (already checked by the schema) in milliseconds. */
function durationMs(text: string): number {
  const [, count, unit = ''] = /^\s*(\d+)([smhd])\s*$/.exec(text) ?? [];
  const unitMs = DURATION_UNIT_MS[unit];
  return count !== undefined && unitMs !== undefined ? Number(count) * unitMs : 0;
}

/** More than half of `copies`: losing a minority of the copies loses no acknowledged write. */
function majorityOf(copies: number): number {
  return Math.floor(copies / 2) + 1;
}

/** Empty strings count as unset, as they do for most twelve-factor apps. */
function withoutBlanks(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

/** Key lines from a variable and its `_FILE` twin, in the ingest-key format. */
function readKeyLines(
  name: string,
  inline: string | undefined,
  file: string | undefined,
  problems: string[],
): IngestKeyRecord[] {
  let text = inline ?? '';
  if (file) {
    try {
      text = `${text}\n${readFileSync(file, 'utf8')}`;
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${String(error)})`);
    }
  }
  const parsed = parseIngestKeys(text);
  problems.push(...parsed.errors.map((error) => `${name}: ${error}`));
  return parsed.keys;
}

function readIngestKeys(env: EnvSchema, problems: string[]): IngestKeyRecord[] {
  return readKeyLines('INGEST_API_KEYS', env.INGEST_API_KEYS, env.INGEST_API_KEYS_FILE, problems);
}

function readPublicKey(value: string | undefined, problems: string[]): string | undefined {
  if (!value || value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch {
    problems.push('AUTH_JWT_PUBLIC_KEY: must be a PEM public key or the path of a PEM file');
    return undefined;
  }
}

/**
 * Builds the typed configuration of one app from environment variables. Throws a
 * ConfigError naming every bad or missing key at once.
 */
export function loadConfig(app: AppName, rawEnv: Env = process.env): AppConfig {
  const env = plainToInstance(EnvSchema, withoutBlanks(rawEnv), {
    excludeExtraneousValues: false,
  });
  const problems = describe(validateSync(env, { skipMissingProperties: false }));

  const keys = readIngestKeys(env, problems);
  if (app === 'ingest' && keys.length === 0) {
    problems.push('INGEST_API_KEYS: at least one ingest key is required (or INGEST_API_KEYS_FILE)');
  }
  const jwtPublicKey = readPublicKey(env.AUTH_JWT_PUBLIC_KEY, problems);
  const needsJwt = app === 'query' || app === 'export';
  if (needsJwt && !env.AUTH_JWT_SECRET && !jwtPublicKey && !env.AUTH_JWKS_URL) {
    problems.push(
      'AUTH_JWT_SECRET: one of AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL is required',
    );
  }

  const retentionValid = !problems.some((problem) => problem.startsWith('RETENTION_CLASSES:'));
  const classes = retentionValid
    ? parseRetentionClasses(env.RETENTION_CLASSES ?? DEFAULT_RETENTION_CLASSES)
    : [];
  const defaultClass = env.DEFAULT_RETENTION_CLASS ?? DEFAULT_RETENTION_CLASS;
  if (classes.length > 0 && !classes.some((retention) => retention.name === defaultClass)) {
    problems.push(`DEFAULT_RETENTION_CLASS: "${defaultClass}" is not one of RETENTION_CLASSES`);
  }

  const integrity = readIntegrityConfig(env, problems);
  const redis = readRedisConfig(env, problems);
  const replicas = env.OPENSEARCH_INDEX_REPLICAS ?? 0;
  const writeCopies = env.OPENSEARCH_WAIT_FOR_ACTIVE_SHARDS ?? majorityOf(replicas + 1);
  if (writeCopies > replicas + 1) {
    problems.push(
      `OPENSEARCH_WAIT_FOR_ACTIVE_SHARDS: ${writeCopies} is more than the ${replicas + 1} copies of a shard (OPENSEARCH_INDEX_REPLICAS=${replicas})`,
    );
  }
  const viewerTokenKeys = readKeyLines(
    'VIEWER_TOKEN_KEYS',
    env.VIEWER_TOKEN_KEYS,
    env.VIEWER_TOKEN_KEYS_FILE,
    problems,
  );
  if (
    needsJwt &&
    viewerTokenKeys.length > 0 &&
    !env.VIEWER_SESSION_SECRET &&
    !env.AUTH_JWT_SECRET
  ) {
    problems.push(
      'VIEWER_SESSION_SECRET: required with VIEWER_TOKEN_KEYS when AUTH_JWT_SECRET is not set (viewer sessions are signed with it)',
    );
  }
  const frameAncestors = parseOrigins(
    'CONSOLE_FRAME_ANCESTORS',
    env.CONSOLE_FRAME_ANCESTORS,
    problems,
  );
  const corsAllowedOrigins = parseOrigins(
    'CORS_ALLOWED_ORIGINS',
    env.CORS_ALLOWED_ORIGINS,
    problems,
  );

  const siemKeys = readKeyLines(
    'SIEM_API_KEYS',
    env.SIEM_API_KEYS,
    env.SIEM_API_KEYS_FILE,
    problems,
  );
  const allowedCidrs = parseCidrs('EGRESS_ALLOWED_CIDRS', env.EGRESS_ALLOWED_CIDRS, problems);
  const streamSecretKeys = readStreamSecretKeys(
    env.STREAM_SECRETS_KEY,
    env.STREAM_SECRETS_KEYS,
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    app,
    nodeEnv: (env.NODE_ENV ?? 'production') as AppConfig['nodeEnv'],
    logLevel: env.LOG_LEVEL ?? 'info',
    host: env.HOST ?? '0.0.0.0',
    port: env.PORT ?? DEFAULT_PORTS[app],
    opensearch: {
      nodes: env.OPENSEARCH_URL,
      username: env.OPENSEARCH_USERNAME,
      password: env.OPENSEARCH_PASSWORD,
      caFile: env.OPENSEARCH_CA_FILE,
      certFile: env.OPENSEARCH_CERT_FILE,
      keyFile: env.OPENSEARCH_KEY_FILE,
      tlsInsecure: env.OPENSEARCH_TLS_INSECURE ?? false,
      indexPrefix: env.OPENSEARCH_INDEX_PREFIX ?? 'auditlog',
      shards: env.OPENSEARCH_INDEX_SHARDS ?? 1,
      replicas,
      writeCopies,
    },
    redis,
    ingest: {
      keys,
      maxFutureSkewMs: (env.INGEST_MAX_FUTURE_SKEW_SECONDS ?? 300) * 1000,
      maxBatchEvents: env.INGEST_MAX_BATCH_EVENTS ?? 5000,
      maxRequestBytes: env.INGEST_MAX_REQUEST_BYTES ?? 10 * 1024 * 1024,
      maxEventBytes: 128 * 1024,
      workers: env.INGEST_WORKERS ?? 1,
      bulk: {
        maxEvents: env.INGEST_BULK_MAX_EVENTS ?? 1000,
        maxBytes: env.INGEST_BULK_MAX_BYTES ?? 5 * 1024 * 1024,
        lingerMs: env.INGEST_BULK_LINGER_MS ?? 2,
        concurrency: env.INGEST_BULK_CONCURRENCY ?? 4,
        queueMaxBytes: env.INGEST_QUEUE_MAX_BYTES ?? 64 * 1024 * 1024,
      },
    },
    auth: {
      jwtSecret: env.AUTH_JWT_SECRET,
      jwtPublicKey,
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      companyClaim: env.AUTH_COMPANY_CLAIM ?? 'company_id',
      rolesClaim: env.AUTH_ROLES_CLAIM ?? 'roles',
    },
    retention: {
      classes,
      defaultClass,
      readOnlyAfterDays: env.RETENTION_READ_ONLY_AFTER_DAYS ?? 30,
      sweepIntervalSeconds: env.RETENTION_SWEEP_INTERVAL_SECONDS ?? 3600,
      preCreationIntervalSeconds: env.INDEX_PRE_CREATION_INTERVAL_SECONDS ?? 3600,
      companyCacheSeconds: env.COMPANY_SETTINGS_CACHE_SECONDS ?? 30,
    },
    export: {
      dir: env.EXPORT_DIR ?? './exports',
      streamMaxRows: env.EXPORT_STREAM_MAX_ROWS ?? 10_000,
      maxRows: env.EXPORT_MAX_ROWS ?? 5_000_000,
      maxConcurrentPerCompany: env.EXPORT_MAX_CONCURRENT_PER_COMPANY ?? 2,
      retentionMs: durationMs(env.EXPORT_RETENTION ?? '7d'),
      jobAttempts: env.EXPORT_JOB_ATTEMPTS ?? 3,
      lockMs: (env.EXPORT_JOB_LOCK_SECONDS ?? 30) * 1000,
      workerConcurrency: env.EXPORT_WORKER_CONCURRENCY ?? 2,
      scanBatchSize: env.EXPORT_SCAN_BATCH_SIZE ?? 5000,
      maintenanceIntervalMs: (env.EXPORT_MAINTENANCE_INTERVAL_SECONDS ?? 60) * 1000,
      webhookSecret: env.EXPORT_WEBHOOK_SECRET,
      webhookTimeoutMs: (env.EXPORT_WEBHOOK_TIMEOUT_SECONDS ?? 10) * 1000,
    },
    egress: { allowPrivate: env.EGRESS_ALLOW_PRIVATE ?? false, allowedCidrs },
    query: {
      maxWindowDays: env.QUERY_MAX_WINDOW_DAYS ?? 93,
      maxLookbackDays: env.QUERY_MAX_LOOKBACK_DAYS ?? 366,
      maxHistogramBuckets: env.QUERY_MAX_HISTOGRAM_BUCKETS ?? 1000,
      cursorSecret: env.QUERY_CURSOR_SECRET,
    },
    tail: {
      settleMs: (env.TAIL_SETTLE_SECONDS ?? 2) * 1000,
      maxWriteMs: (env.TAIL_MAX_WRITE_SECONDS ?? 60) * 1000,
      maxPageSize: env.TAIL_MAX_PAGE_SIZE ?? 1000,
      siemKeys,
    },
    integrity,
    console: {
      dir: resolve(env.CONSOLE_DIR ?? 'dist/console'),
      exportUrl: env.CONSOLE_EXPORT_URL?.replace(/\/$/, '') ?? '',
      frameAncestors,
    },
    corsAllowedOrigins,
    openapiDocsEnabled: env.OPENAPI_DOCS_ENABLED ?? (env.NODE_ENV ?? 'production') !== 'production',
    maintenance: { healthPort: env.MAINTENANCE_HEALTH_PORT ?? 3004 },
    viewer: {
      tokenKeys: viewerTokenKeys,
      sessionSecret: env.VIEWER_SESSION_SECRET,
      consolePublicUrl: env.CONSOLE_PUBLIC_URL?.replace(/\/+$/, ''),
    },
    streams: {
      secretKeys: streamSecretKeys,
      allowPlainHttp: env.STREAM_DESTINATIONS_ALLOW_HTTP ?? false,
      retryMaxMs: (env.STREAM_RETRY_MAX_SECONDS ?? 300) * 1000,
    },
  };
}

/** For `main.ts`: load or print every problem and exit with status 78 (EX_CONFIG). */
export function loadConfigOrExit(app: AppName): AppConfig {
  try {
    return loadConfig(app);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
