import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  assertUrlAllowed,
  createGuardedLookup,
  EgressRefusedError,
  type EgressPolicy,
} from '@auditlog/egress';
import type { ExportView } from '@auditlog/export-jobs';
// Export notifications are signed exactly as webhook streams are: one scheme to verify.
import {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignatureHeader,
} from '@auditlog/stream-destinations';

export const EVENT_HEADER = 'X-Auditlog-Event';

export interface WebhookOptions {
  egress: EgressPolicy;
  /** One attempt in all: resolving, connecting, sending and reading the answer. */
  timeoutMs: number;
  attempts?: number;
}

export interface WebhookResult {
  delivered: boolean;
  status?: number;
  error?: string;
  /** `EGRESS_REFUSED`, `ETIMEDOUT`, `ECONNREFUSED`, … when no answer came. */
  code?: string;
  attempts: number;
}

/** POSTs once; resolves with the status after the answer has been read through. */
function post(
  url: URL,
  headers: OutgoingHttpHeaders,
  body: string,
  lookup: LookupFunction,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    // agent: false, so no pooled socket opened for another host is ever reused.
    const request = send(url, { method: 'POST', headers, lookup, agent: false }, (response) => {
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve(response.statusCode ?? 0);
      });
      response.resume();
    });
    const timer = setTimeout(() => {
      const timeout: NodeJS.ErrnoException = new Error(
        `no answer within ${timeoutMs / 1000} s (timed out)`,
      );
      timeout.code = 'ETIMEDOUT';
      request.destroy(timeout);
    }, timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

/**
 * POSTs the export's final state to its webhook URL, signed; retried a few times on
 * network errors, timeouts and 5xx, never on a destination the egress policy refuses.
 * The URL's host is resolved once per attempt and the connection goes to the address that
 * was checked (libs/egress). Never throws; best effort: the history record is the source
 * of truth.
 */
export async function sendWebhook(
  url: string,
  secret: string,
  view: ExportView,
  options: WebhookOptions,
): Promise<WebhookResult> {
  const attempts = options.attempts ?? 3;
  const body = JSON.stringify({ event: `export.${view.status}`, export: view });
  const lookup = createGuardedLookup(options.egress);
  let last: WebhookResult = { delivered: false, attempts: 0 };
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const target = assertUrlAllowed(url, options.egress);
      const status = await post(
        target,
        {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [EVENT_HEADER]: `export.${view.status}`,
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignatureHeader(secret, timestamp, body),
        },
        body,
        lookup,
        options.timeoutMs,
      );
      last = { delivered: status >= 200 && status < 300, status, attempts: attempt + 1 };
      if (status < 500) return last;
    } catch (error) {
      const failure = error as NodeJS.ErrnoException;
      last = {
        delivered: false,
        error: failure.message,
        code: failure.code,
        attempts: attempt + 1,
      };
      if (error instanceof EgressRefusedError) return last;
    }
  }
  return last;
}
