import { ProblemException } from '@auditlog/problem';

export const MAX_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface IntegrityRange {
  from: string;
  to: string;
}

function parseInstant(name: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const time = typeof raw === 'string' && ISO_INSTANT.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(time)) {
    throw ProblemException.badRequest(`${name} must be an ISO 8601 date-time.`, [
      { path: name, message: `${name} must be an ISO 8601 date-time like 2026-01-01T00:00:00Z` },
    ]);
  }
  return time;
}

/** `from`/`to` over `received_at`; default the last 24 hours; at most 31 days. */
export function parseIntegrityRange(
  query: { from?: unknown; to?: unknown },
  now: Date,
): IntegrityRange {
  const to = parseInstant('to', query.to) ?? now.getTime();
  const from = parseInstant('from', query.from) ?? to - DAY_MS;
  if (from >= to) {
    throw ProblemException.badRequest('from must be before to.', [
      { path: 'from', message: 'from must be before to' },
    ]);
  }
  if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    throw ProblemException.badRequest(`The range may span at most ${MAX_RANGE_DAYS} days.`, [
      { path: 'from', message: `from and to may be at most ${MAX_RANGE_DAYS} days apart` },
    ]);
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
