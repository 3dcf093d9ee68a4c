import { retentionDays } from '@auditlog/config';

/** How much time one events index covers. */
export type IndexGranularity = 'day' | 'month';

export const DAY_MS = 86_400_000;

/**
 * Classes longer than this are stored in monthly indices: a year of daily indices per
 * long class would spend most of a single node's shard budget (see docs/storage.md).
 */
export const MAX_DAILY_RETENTION_DAYS = 93;

export function granularityOf(retentionClass: string): IndexGranularity {
  return retentionDays(retentionClass) > MAX_DAILY_RETENTION_DAYS ? 'month' : 'day';
}

export function periodStart(granularity: IndexGranularity, at: Date): Date {
  return granularity === 'day'
    ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()))
    : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The exclusive end of the period that starts at `start`. */
export function periodEnd(granularity: IndexGranularity, start: Date): Date {
  return granularity === 'day'
    ? new Date(start.getTime() + DAY_MS)
    : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** `yyyy.MM.dd` for a day, `yyyy.MM` for a month (UTC). */
export function periodSuffix(granularity: IndexGranularity, at: Date): string {
  const month = `${at.getUTCFullYear()}.${pad(at.getUTCMonth() + 1)}`;
  return granularity === 'day' ? `${month}.${pad(at.getUTCDate())}` : month;
}

/** Every UTC day start in [from, to); `to` is exclusive. */
export function daysBetween(from: Date, to: Date): Date[] {
  const days: Date[] = [];
  for (let day = periodStart('day', from); day < to; day = periodEnd('day', day)) days.push(day);
  return days;
}

/** Every UTC month start of a month that overlaps [from, to). */
export function monthsBetween(from: Date, to: Date): Date[] {
  const months: Date[] = [];
  for (let month = periodStart('month', from); month < to; month = periodEnd('month', month)) {
    months.push(month);
  }
  return months;
}
