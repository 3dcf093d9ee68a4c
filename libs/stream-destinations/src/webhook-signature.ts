import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_TIMESTAMP_HEADER = 'X-Auditlog-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-Auditlog-Signature';
/** How old a signed timestamp receivers should accept, at most (replay window). */
export const WEBHOOK_DEFAULT_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `<timestamp>.<body>` under the signing secret. */
export function webhookSignature(
  secret: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `X-Auditlog-Signature` value: `v1=<hex>`. */
export function webhookSignatureHeader(
  secret: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  return `v1=${webhookSignature(secret, timestamp, body)}`;
}

/**
 * What a receiver checks: the header holds a `v1=` signature (one of several,
 * comma-separated, while a secret rotates) of this exact body and timestamp, and the
 * timestamp is within `toleranceSeconds` of now, so a captured request cannot be replayed
 * later. Compares in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string | Buffer,
  header: string | undefined,
  toleranceSeconds: number = WEBHOOK_DEFAULT_TOLERANCE_SECONDS,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (timestamp === undefined || header === undefined) return false;
  const stamp = String(timestamp).trim();
  if (!/^\d{1,12}$/.test(stamp)) return false;
  if (Math.abs(nowSeconds - Number(stamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, stamp, body), 'hex');
  return header.split(',').some((part) => {
    const [scheme, value] = part.trim().split('=', 2);
    if (scheme !== 'v1' || value === undefined || !/^[0-9a-f]{64}$/i.test(value)) return false;
    return timingSafeEqual(Buffer.from(value, 'hex'), expected);
  });
}
