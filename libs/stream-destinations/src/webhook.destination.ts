import type { AuditEvent } from '@auditlog/events';
import type { WebhookDestination } from './destination';
import { HttpDestination, type HttpPost } from './http-client';
import type { ResolvedOptions } from './resolved-options';
import {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignatureHeader,
} from './webhook-signature';

export function webhookBody(events: readonly AuditEvent[], format: 'json' | 'ndjson'): string {
  return format === 'ndjson'
    ? events.map((event) => `${JSON.stringify(event)}\n`).join('')
    : JSON.stringify(events);
}

/**
 * The request headers: the operator's own first, then ours, which win (a custom header
 * cannot replace the signature, timestamp or content type).
 */
export function webhookHeaders(
  config: WebhookDestination,
  body: string,
  timestamp: number,
  productVersion: string,
): Record<string, string> {
  const ours: Record<string, string> = {
    'Content-Type': config.format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
    'User-Agent': `auditlog-appliance/${productVersion}`,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: webhookSignatureHeader(config.signing_secret, timestamp, body),
  };
  const reserved = new Set(
    [...Object.keys(ours), 'Content-Length', 'Host', 'Transfer-Encoding'].map((name) =>
      name.toLowerCase(),
    ),
  );
  const custom = Object.entries(config.headers ?? {}).filter(
    ([name]) => !reserved.has(name.toLowerCase()),
  );
  return { ...Object.fromEntries(custom), ...ours };
}

export class WebhookSender extends HttpDestination {
  constructor(
    private readonly config: WebhookDestination,
    private readonly options: ResolvedOptions,
  ) {
    super(config.url, options, [config.signing_secret, ...Object.values(config.headers ?? {})]);
  }

  protected requests(events: readonly AuditEvent[]): HttpPost[] {
    const body = webhookBody(events, this.config.format ?? 'json');
    const timestamp = Math.floor(this.options.now() / 1000);
    const headers = webhookHeaders(this.config, body, timestamp, this.options.productVersion);
    return [{ path: '', headers, body: Buffer.from(body) }];
  }
}
