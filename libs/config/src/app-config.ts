export type AppName = 'ingest' | 'query' | 'export' | 'export-worker' | 'maintenance' | 'setup';

export const DEFAULT_PORTS: Record<AppName, number> = {
  ingest: 3001,
  query: 3002,
  export: 3003,
  'export-worker': 0,
  maintenance: 0,
  setup: 0,
};

export interface IngestKeyRecord {
  id: string;
  /** SHA-256 hex of the secret; the secret itself is never configured. */
  sha256: string;
  /** `'*'` for any company, else the explicit allow-list. */
  companies: '*' | string[];
}

export interface RetentionClass {
  name: string;
  days: number;
}

export interface OpenSearchConfig {
  /** Every node the client may send to (one, or several of a cluster). */
  nodes: string[];
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  tlsInsecure: boolean;
  indexPrefix: string;
  /** Primary shards and replicas of every new events index. */
  shards: number;
  replicas: number;
  /**
   * Shard copies (primary included) that must be active, and must have taken the write,
   * before an ingest write counts as stored: a majority of the copies (docs/adr/0071).
   */
  writeCopies: number;
}

export interface RedisSentinel {
  host: string;
  port: number;
}

export interface RedisConfig {
  /** The one Redis, when no Sentinels are configured. */
  url?: string;
  keyPrefix: string;
  username?: string;
  password?: string;
  /** Set: ask these Sentinels for the current master of `sentinelName`. */
  sentinels?: RedisSentinel[];
  sentinelName: string;
  sentinelPassword?: string;
  /** TLS to Redis and the Sentinels (rediss:// or REDIS_TLS=true). */
  tls: boolean;
  /** PEM of the CA to trust instead of the system's (REDIS_TLS_CA). */
  tlsCa?: string;
}

export interface RetentionConfig {
  classes: RetentionClass[];
  defaultClass: string;
  /** Days after an index's period ends before it turns read-only (and stops taking writes). */
  readOnlyAfterDays: number;
  /** How often the sweeper runs where ISM is absent; 0 turns it off. */
  sweepIntervalSeconds: number;
  /** How often the maintenance worker creates the coming period's events indices; 0 turns it off. */
  preCreationIntervalSeconds: number;
  /** How long a process trusts its cached company settings. */
  companyCacheSeconds: number;
}

export interface AuthConfig {
  jwtSecret?: string;
  jwtPublicKey?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  companyClaim: string;
  rolesClaim: string;
}

export interface IngestConfig {
  keys: IngestKeyRecord[];
  maxFutureSkewMs: number;
  maxBatchEvents: number;
  maxRequestBytes: number;
  maxEventBytes: number;
  /** Processes serving the ingest port (`INGEST_WORKERS`, node:cluster); default 1. */
  workers: number;
  /** Group commit: how concurrent requests are coalesced into `_bulk` calls. */
  bulk: BulkConfig;
}

export interface BulkConfig {
  maxEvents: number;
  maxBytes: number;
  lingerMs: number;
  concurrency: number;
  /** Cap on events waiting for or in a `_bulk` call; beyond it requests get 429. */
  queueMaxBytes: number;
}

export interface QueryConfig {
  maxWindowDays: number;
  maxLookbackDays: number;
  maxHistogramBuckets: number;
  /** HMAC key of pagination cursors; see docs/query.md for the fallback when unset. */
  cursorSecret?: string;
}

export interface TailConfig {
  /** Events are handed out once their storage stamp is this old (TAIL_SETTLE_SECONDS). */
  settleMs: number;
  maxPageSize: number;
  /**
   * A registered write older than this is taken as abandoned (its process died) and no
   * longer holds the watermark back (TAIL_MAX_WRITE_SECONDS).
   */
  maxWriteMs: number;
  /** Keys of SIEM readers (`SIEM_API_KEYS`), in the ingest-key format: read the tail only. */
  siemKeys: IngestKeyRecord[];
}

export interface ViewerConfig {
  /** Keys that may mint viewer tokens (`VIEWER_TOKEN_KEYS`), in the ingest-key format. */
  tokenKeys: IngestKeyRecord[];
  /** HS256 key of viewer session tokens; see docs/console.md for the fallback when unset. */
  sessionSecret?: string;
  /** Base URL of the console in sign-in links; the request's origin when unset. */
  consolePublicUrl?: string;
}

export interface IntegrityKey {
  id: string;
  pem: string;
}

export interface IntegrityConfig {
  /** Absent: no digests are written and verification answers "not_configured". */
  signingKey?: IntegrityKey;
  /** Older public keys still needed to verify digests signed before a rotation. */
  publicKeys: IntegrityKey[];
  windowMs: number;
  settleMs: number;
  maxCatchUpWindows: number;
  /** How often the digest job looks for closed windows; 0 disables the schedule. */
  jobIntervalMs: number;
}

export interface ExportConfig {
  /** Directory of export files; shared by the export API and its worker. */
  dir: string;
  /** Largest result `GET /v1/exports/stream` sends; more matching events answer 413. */
  streamMaxRows: number;
  /** Largest result one export job may write. */
  maxRows: number;
  /** Queued plus running jobs one company may have at once. */
  maxConcurrentPerCompany: number;
  /** How long a completed file is kept before the cleanup deletes it. */
  retentionMs: number;
  /** BullMQ attempts per job (a stalled, killed worker does not use one up). */
  jobAttempts: number;
  /** Job lock duration and stalled-check interval: how soon a dead worker's job is retried. */
  lockMs: number;
  workerConcurrency: number;
  /** Events per `search_after` page. */
  scanBatchSize: number;
  /** Expiry and lost-job checks; 0 turns the schedule off. */
  maintenanceIntervalMs: number;
  /** HMAC-SHA256 key of completion webhooks; without it webhooks cannot be requested. */
  webhookSecret?: string;
  /** How long one webhook delivery attempt may take in all. */
  webhookTimeoutMs: number;
}

/** Where outbound connections (webhooks, streams) may go; see libs/egress. */
export interface EgressConfig {
  /** Private-use networks (RFC 1918, IPv6 unique-local, CGNAT) too. */
  allowPrivate: boolean;
  /** More networks, as written (`127.0.0.0/8`, `fd00::/8`); checked at boot. */
  allowedCidrs: string[];
}

export interface MaintenanceConfig {
  /** Port of the maintenance worker's internal health and metrics server; 0: none. */
  healthPort: number;
}

export interface ConsoleConfig {
  /** The built console (`index.html`, `assets/`). */
  dir: string;
  /** Origin of the export API as the browser reaches it; `""`: the console's own origin. */
  exportUrl: string;
  /** Origins allowed to frame the console (CSP `frame-ancestors`); empty: only itself. */
  frameAncestors: string[];
}

/** One key of the stream secret box (AES-256-GCM). */
export interface StreamSecretKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface StreamsConfig {
  /** The first encrypts destination secrets; every one decrypts. Empty: no secrets accepted. */
  secretKeys: StreamSecretKey[];
  /** Accept `http://` destination URLs (`STREAM_DESTINATIONS_ALLOW_HTTP`); default https only. */
  allowPlainHttp: boolean;
  /** The longest wait between two attempts of a failing stream (STREAM_RETRY_MAX_SECONDS). */
  retryMaxMs: number;
}

export interface AppConfig {
  app: AppName;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  host: string;
  port: number;
  opensearch: OpenSearchConfig;
  redis: RedisConfig;
  ingest: IngestConfig;
  auth: AuthConfig;
  retention: RetentionConfig;
  export: ExportConfig;
  query: QueryConfig;
  tail: TailConfig;
  integrity: IntegrityConfig;
  console: ConsoleConfig;
  maintenance: MaintenanceConfig;
  egress: EgressConfig;
  /** Browser origins answered with CORS headers; empty: no CORS at all. */
  corsAllowedOrigins: string[];
  /** Serve the interactive OpenAPI reference at /docs (OPENAPI_DOCS_ENABLED). */
  openapiDocsEnabled: boolean;
  viewer: ViewerConfig;
  streams: StreamsConfig;
}
