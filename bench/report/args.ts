/**
 * Parses an event count such as `100000`, `1e5`, `2.5e6` or `1_000_000`: the scale knob
 * every benchmark takes as `--events`.
 */
export function parseCount(text: string | undefined, name = '--events'): number {
  const cleaned = (text ?? '').trim().replace(/_/g, '');
  const value = cleaned === '' ? Number.NaN : Number(cleaned);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number such as 100000 or 1e5, got "${text}"`);
  }
  return value;
}

/** Parses a comma-separated list of counts, e.g. the client levels `1,4,16,64`. */
export function parseCountList(text: string, name: string): number[] {
  const values = text.split(',').map((part) => parseCount(part, name));
  if (new Set(values).size !== values.length) throw new Error(`${name} lists a value twice`);
  return [...values].sort((a, b) => a - b);
}

/** `2026-11-23` in UTC: the name of a results set. */
export function resultsDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}
