import { DAY_MS } from '@auditlog/opensearch';

/**
 * The retention arithmetic shared by the write path, the sweeper and the ISM policies.
 * An index is judged by the end of the period it covers, so nothing younger than its
 * retention is ever deleted with it.
 */

/** The oldest event timestamp a class still keeps at `now`. */
export function oldestRetained(retentionDays: number, now: Date): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Every event in an index ending at `periodEnd` is past its retention. */
export function isExpired(periodEnd: Date, retentionDays: number, now: Date): boolean {
  return periodEnd.getTime() + retentionDays * DAY_MS <= now.getTime();
}

/** An index ending at `periodEnd` no longer takes writes and is made read-only. */
export function isClosedForWrites(periodEnd: Date, readOnlyAfterDays: number, now: Date): boolean {
  return periodEnd.getTime() + readOnlyAfterDays * DAY_MS <= now.getTime();
}
