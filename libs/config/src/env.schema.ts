import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;

const SENTINEL_LIST = /^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/;

const URL_OPTIONS = { require_tld: false, require_protocol: true };

/**
 * Every environment variable the appliance reads. Validated synchronously at boot;
 * a bad value stops the process with every bad key listed.
 */
export class EnvSchema {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  /** One node, or several comma-separated: the client spreads requests and fails over. */
  @Transform(toList)
  @IsUrl({ ...URL_OPTIONS, protocols: ['http', 'https'] }, { each: true })
  OPENSEARCH_URL!: string[];

  @IsOptional()
  @IsString()
  OPENSEARCH_USERNAME?: string;

  @IsOptional()
  @IsString()
  OPENSEARCH_PASSWORD?: string;

  @IsOptional()
  @IsString()
  OPENSEARCH_CA_FILE?: string;

  @IsOptional()
  @IsString()
  OPENSEARCH_CERT_FILE?: string;

  @IsOptional()
  @IsString()
  OPENSEARCH_KEY_FILE?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  OPENSEARCH_TLS_INSECURE?: boolean;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,40}$/, {
    message: 'OPENSEARCH_INDEX_PREFIX must be lowercase letters, digits, "_" or "-" (max 41)',
  })
  OPENSEARCH_INDEX_PREFIX?: string;

  /** Not needed when REDIS_SENTINELS names the Sentinels that know the master. */
  @ValidateIf((env: EnvSchema) => env.REDIS_SENTINELS === undefined)
  @IsUrl({ ...URL_OPTIONS, protocols: ['redis', 'rediss'] })
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  REDIS_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  /** `host:port,host:port,…`: connect to the master these Sentinels name. */
  @IsOptional()
  @Matches(SENTINEL_LIST, {
    message: 'REDIS_SENTINELS must be host:port pairs separated by commas',
  })
  REDIS_SENTINELS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  REDIS_SENTINEL_NAME?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** TLS to Redis (and the Sentinels) without a rediss:// URL, e.g. with REDIS_SENTINELS. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  REDIS_TLS?: boolean;

  /** PEM file of the CA that signed the Redis (and Sentinel) certificates. */
  @IsOptional()
  @IsString()
  REDIS_TLS_CA?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/)
  REDIS_KEY_PREFIX?: string;

  @IsOptional()
  @IsString()
  INGEST_API_KEYS?: string;

  @IsOptional()
  @IsString()
  INGEST_API_KEYS_FILE?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  AUTH_JWT_PUBLIC_KEY?: string;

  @IsOptional()
  @IsUrl({ ...URL_OPTIONS, protocols: ['http', 'https'] })
  AUTH_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  AUTH_ISSUER?: string;

  @IsOptional()
  @IsString()
  AUTH_AUDIENCE?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:/-]{1,128}$/)
  AUTH_COMPANY_CLAIM?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:/-]{1,128}$/)
  AUTH_ROLES_CLAIM?: string;

  @IsOptional()
  @Matches(/^\s*\d+[dmy](\s*,\s*\d+[dmy])*\s*$/, {
    message: 'RETENTION_CLASSES must be a comma-separated list like 7d,30d,90d,1y,2y',
  })
  RETENTION_CLASSES?: string;

  @IsOptional()
  @Matches(/^\d+[dmy]$/)
  DEFAULT_RETENTION_CLASS?: string;

  @IsOptional()
  @IsString()
  EXPORT_DIR?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  EXPORT_STREAM_MAX_ROWS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  EXPORT_MAX_ROWS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  EXPORT_MAX_CONCURRENT_PER_COMPANY?: number;

  @IsOptional()
  @Matches(/^\s*\d+[smhd]\s*$/, {
    message: 'EXPORT_RETENTION must be a duration like 12h or 7d',
  })
  EXPORT_RETENTION?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  EXPORT_JOB_ATTEMPTS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  EXPORT_JOB_LOCK_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  EXPORT_WORKER_CONCURRENCY?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(10_000)
  EXPORT_SCAN_BATCH_SIZE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  EXPORT_MAINTENANCE_INTERVAL_SECONDS?: number;

  /** The maintenance worker's internal health port (`/health/live`, `/health/ready`); 0: none. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65_535)
  MAINTENANCE_HEALTH_PORT?: number;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'EXPORT_WEBHOOK_SECRET must be at least 32 characters' })
  EXPORT_WEBHOOK_SECRET?: string;

  /** Seconds one webhook delivery attempt may take, connecting and answering included. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  EXPORT_WEBHOOK_TIMEOUT_SECONDS?: number;

  /** Outbound connections may reach private-use networks (RFC 1918, IPv6 ULA, CGNAT). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  EGRESS_ALLOW_PRIVATE?: boolean;

  /** More networks outbound connections may reach, loopback and link-local included. */
  @IsOptional()
  @IsString()
  EGRESS_ALLOWED_CIDRS?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  INGEST_MAX_FUTURE_SKEW_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  INGEST_MAX_BATCH_EVENTS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(512 * 1024 * 1024)
  INGEST_MAX_REQUEST_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  OPENSEARCH_INDEX_SHARDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(5)
  OPENSEARCH_INDEX_REPLICAS?: number;

  /** Copies of a shard that must be active before ingest writes (default: a majority). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(6)
  OPENSEARCH_WAIT_FOR_ACTIVE_SHARDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_READ_ONLY_AFTER_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  RETENTION_SWEEP_INTERVAL_SECONDS?: number;

  /** At most 12 h, so the day of lead time before a period always holds a run. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(43_200)
  INDEX_PRE_CREATION_INTERVAL_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  COMPANY_SETTINGS_CACHE_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3660)
  QUERY_MAX_WINDOW_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3660)
  QUERY_MAX_LOOKBACK_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(10_000)
  QUERY_MAX_HISTOGRAM_BUCKETS?: number;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'QUERY_CURSOR_SECRET must be at least 32 characters' })
  QUERY_CURSOR_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  TAIL_SETTLE_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  TAIL_MAX_PAGE_SIZE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(3600)
  TAIL_MAX_WRITE_SECONDS?: number;

  @IsOptional()
  @IsString()
  SIEM_API_KEYS?: string;

  @IsOptional()
  @IsString()
  SIEM_API_KEYS_FILE?: string;

  @IsOptional()
  @IsString()
  CONSOLE_DIR?: string;

  @IsOptional()
  @IsUrl({ ...URL_OPTIONS, protocols: ['http', 'https'] })
  CONSOLE_EXPORT_URL?: string;

  @IsOptional()
  @IsString()
  CONSOLE_FRAME_ANCESTORS?: string;

  @IsOptional()
  @IsString()
  CORS_ALLOWED_ORIGINS?: string;

  /** The interactive API reference at /docs (default: on unless NODE_ENV is production). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  OPENAPI_DOCS_ENABLED?: boolean;

  @IsOptional()
  @IsString()
  VIEWER_TOKEN_KEYS?: string;

  @IsOptional()
  @IsString()
  VIEWER_TOKEN_KEYS_FILE?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'VIEWER_SESSION_SECRET must be at least 32 characters' })
  VIEWER_SESSION_SECRET?: string;

  @IsOptional()
  @IsUrl({ ...URL_OPTIONS, protocols: ['http', 'https'] })
  CONSOLE_PUBLIC_URL?: string;

  @IsOptional()
  @IsString()
  INTEGRITY_SIGNING_KEY?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/)
  INTEGRITY_SIGNING_KEY_ID?: string;

  @IsOptional()
  @IsString()
  INTEGRITY_PUBLIC_KEYS?: string;

  @IsOptional()
  @Matches(/^\s*\d+[smhd]\s*$/, {
    message: 'INTEGRITY_WINDOW must be a duration like 30s, 15m, 1h or 1d',
  })
  INTEGRITY_WINDOW?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  INTEGRITY_SETTLE_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  INTEGRITY_MAX_CATCH_UP_WINDOWS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  INTEGRITY_JOB_INTERVAL_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  INGEST_BULK_MAX_EVENTS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(64 * 1024)
  @Max(256 * 1024 * 1024)
  INGEST_BULK_MAX_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  INGEST_BULK_LINGER_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  INGEST_BULK_CONCURRENCY?: number;

  /** Ingest processes on this host (node:cluster); 1 runs no cluster primary. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  INGEST_WORKERS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024 * 1024)
  @Max(4 * 1024 * 1024 * 1024)
  INGEST_QUEUE_MAX_BYTES?: number;

  @IsOptional()
  @IsString()
  STREAM_SECRETS_KEY?: string;

  @IsOptional()
  @IsString()
  STREAM_SECRETS_KEYS?: string;

  /** Accept plain http:// stream destinations (default: https only). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  STREAM_DESTINATIONS_ALLOW_HTTP?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  STREAM_RETRY_MAX_SECONDS?: number;
}
