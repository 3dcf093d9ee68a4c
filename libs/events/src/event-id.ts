import { randomBytes } from 'node:crypto';

export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const COMPANY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const ACTION_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
export const MAX_ACTION_LENGTH = 128;
export const CATEGORY_PATTERN = /^[a-z0-9_]{1,64}$/;

/**
 * Server-generated ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random
 * bits, so they are unique and sort by creation time.
 */
export function generateEventId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
