import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  header,
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from './http-receiver';

export interface WebhookReceiverOptions {
  secret: string;
  /** Oldest signed timestamp accepted, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Only this path is served (default: any). */
  path?: string;
  /** Listen on this port (default: a free one), e.g. to come back where a sender expects. */
  port?: number;
}

/**
 * Checks the signature as a receiver written from the documentation would: its own HMAC
 * of `<timestamp>.<body>`, independent of the sender's code.
 */
function signed(request: ReceivedRequest, secret: string, toleranceSeconds: number): boolean {
  const timestamp = header(request, 'x-auditlog-timestamp');
  const signature = header(request, 'x-auditlog-signature');
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`), request.raw]))
    .digest();
  return signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/**
 * A webhook endpoint on loopback: checks the `X-Auditlog-Signature` and timestamp (401
 * otherwise), parses a JSON array or NDJSON by `Content-Type` (400 otherwise), answers 200.
 */
export function startWebhookReceiver(
  options: WebhookReceiverOptions,
): Promise<HttpReceiver<Record<string, unknown>>> {
  const tolerance = options.toleranceSeconds ?? 300;
  return startHttpReceiver<Record<string, unknown>>(
    (request: ReceivedRequest) => {
      if (options.path && request.path.split('?')[0] !== options.path) {
        return { status: 404, body: { error: 'not found' } };
      }
      if (request.method !== 'POST') return { status: 405, body: { error: 'method not allowed' } };
      if (!signed(request, options.secret, tolerance)) {
        return { status: 401, body: { error: 'bad signature' } };
      }
      const type = header(request, 'content-type') ?? '';
      const text = request.body.toString('utf8');
      try {
        if (type.startsWith('application/json')) {
          const parsed: unknown = JSON.parse(text);
          if (!Array.isArray(parsed)) return { status: 400, body: { error: 'expected an array' } };
          return {
            status: 200,
            body: { ok: true },
            accepted: parsed as Array<Record<string, unknown>>,
          };
        }
        if (type.startsWith('application/x-ndjson')) {
          const lines = text.split('\n').filter((line) => line !== '');
          return {
            status: 200,
            body: { ok: true },
            accepted: lines.map((line) => JSON.parse(line) as Record<string, unknown>),
          };
        }
      } catch {
        return { status: 400, body: { error: 'malformed body' } };
      }
      return { status: 415, body: { error: `unsupported Content-Type ${type}` } };
    },
    (status) => ({ error: `scripted ${status}` }),
    options.port,
  );
}
