const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * Parses an ISO 8601 / RFC 3339 date-time that carries seconds and an offset, checking
 * every component (no February 30th, no hour 24). Fractions beyond milliseconds are
 * truncated. Returns undefined when the text is not such a date-time.
 */
export function parseIsoDateTime(text: string): Date | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset, offsetH, offsetM] = match;
  // Groups 1–6 and 8 are not optional: a match always has them.
  if (offset === undefined) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = offsetH === undefined ? 0 : Number(offsetH);
  const offsetMinutes = offsetM === undefined ? 0 : Number(offsetM);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(local).getUTCDate() !== day || year < 1000) return undefined;
  const sign = offset.startsWith('-') ? -1 : 1;
  const utc = local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(utc);
}
