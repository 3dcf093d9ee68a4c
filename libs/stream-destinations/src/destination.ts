import type { LookupFunction } from 'node:net';
import type { AuditEvent } from '@auditlog/events';

/** Splunk HTTP Event Collector: `POST <url>/services/collector/event`, `Authorization: Splunk <token>`. */
export interface SplunkHecDestination {
  type: 'splunk_hec';
  /** Base URL of the collector, e.g. `https://splunk.example.com:8088`. */
  url: string;
  /** Secret. */
  token: string;
  index?: string;
  sourcetype?: string;
  source?: string;
}

/** Datadog logs intake v2: `POST <site_url>/api/v2/logs`, `DD-API-KEY`. */
export interface DatadogDestination {
  type: 'datadog';
  /** e.g. `https://http-intake.logs.datadoghq.eu`; default `https://http-intake.logs.datadoghq.com`. */
  site_url?: string;
  /** Secret. */
  api_key: string;
  ddsource?: string;
  service?: string;
  tags?: string[];
}

/** HTTPS POST of a JSON array or NDJSON batch, HMAC-SHA256 signed over timestamp + body. */
export interface WebhookDestination {
  type: 'webhook';
  url: string;
  format?: 'json' | 'ndjson';
  /** Secret: the HMAC key. */
  signing_secret: string;
  /** Extra headers; their values are secret (they often carry credentials). */
  headers?: Record<string, string>;
}

/** RFC 5424 over TCP with octet-counting framing (RFC 6587), TLS optional. */
export interface SyslogDestination {
  type: 'syslog';
  host: string;
  port: number;
  tls?: boolean;
  /** PEM of CA certificates to trust for TLS (default: the system's). */
  ca?: string;
  /** `rfc5424` puts the event in structured data + JSON message; `cef` sends a CEF message. */
  format?: 'rfc5424' | 'cef';
  /** Syslog facility number 0–23; default 13 (log audit). */
  facility?: number;
  app_name?: string;
}

/** Another cluster's `_bulk`, documents with ECS field names. */
export interface BulkDestination {
  type: 'opensearch_bulk' | 'elasticsearch_bulk';
  url: string;
  /** Target index (or data stream) name. */
  index: string;
  username?: string;
  /** Secret. */
  password?: string;
  /** Secret: sent as `Authorization: ApiKey <api_key>`. */
  api_key?: string;
  ca?: string;
}

export type DestinationConfig =
  | SplunkHecDestination
  | DatadogDestination
  | WebhookDestination
  | SyslogDestination
  | BulkDestination;

export type DestinationType = DestinationConfig['type'];

/** What the destination answered for one batch. */
export type DeliveryResult =
  /** Acknowledged: the stream's cursor may move past the batch. */
  | { kind: 'delivered'; status?: number }
  /** Transient (network error, timeout, 408/429/5xx): retry the same batch with backoff. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; error: string }
  /** The destination refuses this batch as such (e.g. 400, 413): retrying it cannot help. */
  | { kind: 'rejected'; status?: number; error: string };

export interface DestinationOptions {
  /**
   * DNS lookup used for every connection: the egress guard's lookup, which refuses
   * private/loopback/link-local addresses unless allowed and connects to the checked address.
   */
  lookup?: LookupFunction;
  /** Per-request (per-batch) timeout. */
  timeoutMs: number;
  /**
   * The sending host's name: syslog HOSTNAME, HEC `host`, Datadog `hostname`, ECS
   * `observer.hostname`. Default: `os.hostname()`.
   */
  hostname?: string;
  /** The appliance's version: CEF header, ECS `observer.version`. Default `0.0.0`. */
  productVersion?: string;
  /** Milliseconds since the epoch, for webhook signature timestamps. Default `Date.now`. */
  now?: () => number;
}

/**
 * One connection-holding sender per stream; `deliver` is never called concurrently. An
 * empty batch is delivered without contacting the destination.
 */
export interface Destination {
  deliver(events: readonly AuditEvent[]): Promise<DeliveryResult>;
  close(): Promise<void>;
}
