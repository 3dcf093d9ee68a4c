import { randomFillSync } from 'node:crypto';

export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const COMPANY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const ACTION_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
export const MAX_ACTION_LENGTH = 128;
export const CATEGORY_PATTERN = /^[a-z0-9_]{1,64}$/;

/** Random bytes are drawn from the CSPRNG in blocks: one call per 512 ids, not one per id. */
const POOL_IDS = 512;
const pool = Buffer.allocUnsafe(POOL_IDS * 10);
let poolOffset = pool.length;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Server-generated ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74
 * random bits (10 random bytes with the version and variant bits set), so they are unique
 * and sort by creation time.
 */
export function generateEventId(now: number = Date.now()): string {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += 10;
  const high = Math.floor(now / 0x1_0000_0000);
  const low = now >>> 0;
  const time =
    hex((high >>> 8) & 0xff) +
    hex(high & 0xff) +
    hex(low >>> 24) +
    hex((low >>> 16) & 0xff) +
    '-' +
    hex((low >>> 8) & 0xff) +
    hex(low & 0xff);
  return (
    `${time}-` +
    hex((poolByte(r) & 0x0f) | 0x70) +
    hex(poolByte(r + 1)) +
    '-' +
    hex((poolByte(r + 2) & 0x3f) | 0x80) +
    hex(poolByte(r + 3)) +
    '-' +
    hex(poolByte(r + 4)) +
    hex(poolByte(r + 5)) +
    hex(poolByte(r + 6)) +
    hex(poolByte(r + 7)) +
    hex(poolByte(r + 8)) +
    hex(poolByte(r + 9))
  );
}

function hex(byte: number): string {
  const pair = HEX[byte];
  if (pair === undefined) throw new Error(`event id: ${byte} is not a byte`);
  return pair;
}

function poolByte(offset: number): number {
  const byte = pool[offset];
  if (byte === undefined) throw new Error(`event id: offset ${offset} is outside the random pool`);
  return byte;
}
