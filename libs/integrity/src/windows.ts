const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const WINDOW_PATTERN = /^(\d+)([smhd])$/;

/** `30s`, `5m`, `1h`, `1d` to milliseconds; undefined for anything else. */
export function parseWindow(text: string): number | undefined {
  const [, count, unit = ''] = WINDOW_PATTERN.exec(text.trim()) ?? [];
  const unitMs = UNIT_MS[unit];
  if (count === undefined || unitMs === undefined) return undefined;
  const ms = Number(count) * unitMs;
  return ms > 0 ? ms : undefined;
}

/** Windows are aligned on the Unix epoch, so every replica computes the same bounds. */
export function windowStartOf(timeMs: number, windowMs: number): number {
  return Math.floor(timeMs / windowMs) * windowMs;
}

/** The window following one that ended at `startMs` (handles a changed window length). */
export function windowAfter(startMs: number, windowMs: number): { start: number; end: number } {
  return { start: startMs, end: windowStartOf(startMs, windowMs) + windowMs };
}

export function isoMs(timeMs: number): string {
  return new Date(timeMs).toISOString();
}
