import { createHmac } from 'node:crypto';
import type { ExportView } from '@auditlog/export-jobs';

export const SIGNATURE_HEADER = 'X-Auditlog-Signature';
export const TIMESTAMP_HEADER = 'X-Auditlog-Timestamp';
export const EVENT_HEADER = 'X-Auditlog-Event';

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the timestamp in Unix seconds. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs the export's final state to its webhook URL, signed; retried a few times on
 * network errors and 5xx. Best effort: the history record is the source of truth.
 */
export async function sendWebhook(
  url: string,
  secret: string,
  view: ExportView,
  attempts = 3,
): Promise<{ delivered: boolean; status?: number; error?: string }> {
  const body = JSON.stringify({ event: `export.${view.status}`, export: view });
  let last: { delivered: boolean; status?: number; error?: string } = { delivered: false };
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [EVENT_HEADER]: `export.${view.status}`,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      last = { delivered: response.ok, status: response.status };
      if (response.status < 500) return last;
    } catch (error) {
      last = { delivered: false, error: String(error) };
    }
  }
  return last;
}
