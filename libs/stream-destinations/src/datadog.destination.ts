import { gzipSync } from 'node:zlib';
import type { AuditEvent } from '@auditlog/events';
import type { DatadogDestination } from './destination';
import { HttpDestination, type HttpPost } from './http-client';
import type { ResolvedOptions } from './resolved-options';

export const DATADOG_DEFAULT_SITE = 'https://http-intake.logs.datadoghq.com';
export const DATADOG_PATH = '/api/v2/logs';
export const DATADOG_DEFAULT_SOURCE = 'auditlog';
export const DATADOG_DEFAULT_SERVICE = 'auditlog';

/** Logs intake v2 limits: entries per request and uncompressed bytes per request. */
export const DATADOG_MAX_ENTRIES = 1000;
export const DATADOG_MAX_PAYLOAD_BYTES = 5 * 1024 * 1024;

/**
 * One log entry: Datadog's reserved attributes (`ddsource`, `ddtags`, `hostname`,
 * `service`, `message`, `status`, `date`), its standard attributes (`evt`, `usr`,
 * `network.client.ip`, `http.useragent`) and the whole event under `auditlog`.
 */
export function datadogEntry(
  event: AuditEvent,
  config: DatadogDestination,
  hostname: string | undefined,
): Record<string, unknown> {
  const tags = [`company_id:${event.company_id}`, ...(config.tags ?? [])];
  return {
    ddsource: config.ddsource ?? DATADOG_DEFAULT_SOURCE,
    ddtags: tags.join(','),
    ...(hostname ? { hostname } : {}),
    service: config.service ?? DATADOG_DEFAULT_SERVICE,
    message: event.description ?? event.action,
    status: event.outcome === 'success' ? 'info' : 'warn',
    date: event.timestamp,
    evt: {
      id: event.id,
      name: event.action,
      category: event.category,
      outcome: event.outcome,
    },
    usr: {
      id: event.actor.id,
      ...(event.actor.name ? { name: event.actor.name } : {}),
      ...(event.actor.email ? { email: event.actor.email } : {}),
    },
    ...(event.source?.ip ? { network: { client: { ip: event.source.ip } } } : {}),
    ...(event.source?.user_agent ? { http: { useragent: event.source.user_agent } } : {}),
    auditlog: event,
  };
}

/**
 * Packs serialized entries into JSON-array payloads within the intake limits, keeping
 * their order. An entry that alone exceeds the byte limit gets a payload of its own (the
 * intake refuses it, and the batch is reported rather than silently cut).
 */
export function packPayloads(
  entries: readonly string[],
  maxEntries = DATADOG_MAX_ENTRIES,
  maxBytes = DATADOG_MAX_PAYLOAD_BYTES,
): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      payloads.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    bytes += Buffer.byteLength(entry) + (current.length > 0 ? 1 : 0);
    current.push(entry);
  }
  if (current.length > 0) payloads.push(`[${current.join(',')}]`);
  return payloads;
}

export class DatadogSender extends HttpDestination {
  constructor(
    private readonly config: DatadogDestination,
    private readonly options: ResolvedOptions,
  ) {
    super(config.site_url ?? DATADOG_DEFAULT_SITE, options, [config.api_key]);
  }

  protected requests(events: readonly AuditEvent[]): HttpPost[] {
    const entries = events.map((event) =>
      JSON.stringify(datadogEntry(event, this.config, this.options.hostname)),
    );
    return packPayloads(entries).map((payload) => ({
      path: DATADOG_PATH,
      headers: {
        'DD-API-KEY': this.config.api_key,
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
      },
      body: gzipSync(payload),
    }));
  }
}
