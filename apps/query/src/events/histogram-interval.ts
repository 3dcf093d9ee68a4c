import type { FieldProblem } from '@auditlog/events';

export type HistogramInterval =
  | { kind: 'fixed'; value: string; ms: number }
  | { kind: 'calendar'; value: 'week' | 'month'; ms: number };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DAY = UNIT_MS.d;
/** Candidate intervals for `auto`, smallest first. */
const AUTO = ['1m', '5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '7d'];
/** `auto` aims at no more than this many buckets. */
const AUTO_TARGET_BUCKETS = 200;

export type IntervalResult =
  | { ok: true; interval: HistogramInterval; buckets: number }
  | { ok: false; errors: FieldProblem[] };

function fixed(value: string): HistogramInterval | undefined {
  const match = /^([1-9]\d{0,5})([smhd])$/.exec(value);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return { kind: 'fixed', value, ms };
}

function parse(value: string, windowMs: number): HistogramInterval | undefined {
  if (value === 'auto') {
    const chosen = AUTO.find(
      (candidate) => windowMs / (fixed(candidate)?.ms ?? 1) <= AUTO_TARGET_BUCKETS,
    );
    return fixed(chosen ?? '7d');
  }
  if (value === '1w' || value === 'week') return { kind: 'calendar', value: 'week', ms: 7 * DAY };
  if (value === '1M' || value === 'month')
    return { kind: 'calendar', value: 'month', ms: 28 * DAY };
  return fixed(value);
}

/**
 * Parses `interval` (`auto`, `<n>s|m|h|d`, `1w`/`week`, `1M`/`month`) and checks that the
 * window splits into at most `maxBuckets` buckets.
 */
export function parseHistogramInterval(
  raw: string | string[] | undefined,
  from: string,
  to: string,
  maxBuckets: number,
): IntervalResult {
  const value = raw === undefined ? 'auto' : Array.isArray(raw) ? raw.join(',') : raw;
  const windowMs = Date.parse(to) - Date.parse(from);
  const interval = parse(value, windowMs);
  if (!interval) {
    return {
      ok: false,
      errors: [
        {
          path: 'interval',
          message: 'interval must be auto, <n>s, <n>m, <n>h, <n>d (e.g. 5m, 1h, 1d), 1w or 1M',
        },
      ],
    };
  }
  const buckets = Math.ceil(windowMs / interval.ms) + 1;
  if (buckets > maxBuckets) {
    return {
      ok: false,
      errors: [
        {
          path: 'interval',
          message: `interval ${value} gives about ${buckets} buckets over this window; the limit is ${maxBuckets}: choose a wider interval or a shorter window`,
        },
      ],
    };
  }
  return { ok: true, interval, buckets };
}
