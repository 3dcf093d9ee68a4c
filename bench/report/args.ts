import { parseArgs } from 'node:util';

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

export const BENCHMARK_NAMES = ['ingest', 'query', 'export'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

export interface BenchOptions {
  events: number;
  only: Set<BenchmarkName>;
  resultsDir: string;
  /** `--no-build`: use the existing dist/ (rebuild it first with tsc + tsc-alias). */
  build: boolean;
}

/**
 * Options of `npm run bench`: `--events 1e5`, `--only ingest,query`, `--results-dir`,
 * `--no-build` (skip `npm run build`, which deletes dist/ under anything running from it).
 */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '1e5' },
      only: { type: 'string', default: BENCHMARK_NAMES.join(',') },
      'results-dir': { type: 'string', default: 'bench/results' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const only = values.only.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !(BENCHMARK_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`--only knows ${BENCHMARK_NAMES.join(', ')}; not ${unknown.join(', ')}`);
  return {
    events: parseCount(values.events),
    only: new Set(only as BenchmarkName[]),
    resultsDir: values['results-dir'],
    build: !values['no-build'],
  };
}
