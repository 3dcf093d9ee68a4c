import type { LatencySummary } from './stats';

/** What `bench/ingest/cli.ts --out` writes. */
export interface IngestResult {
  benchmark: 'ingest';
  events: number;
  eventBytes: number;
  batch: number;
  levels: Array<{
    clients: number;
    events: number;
    rawEventsPerSecond: number;
    apiEventsPerSecond: number;
    ratio: number;
  }>;
  latency: LatencySummary & { eventsPerSecond: number; batch: number };
}

/** What `bench/query/run.ts --out` writes. */
export interface QueryResult {
  benchmark: 'query';
  events: number;
  iterations: number;
  cases: Array<{ name: string; rows: number; api: LatencySummary; direct: LatencySummary }>;
}

/** What `bench/export/run.ts --out` writes. */
export interface ExportResult {
  benchmark: 'export';
  events: number;
  raw: { rowsPerSecond: number };
  formats: Array<{ format: string; rowsPerSecond: number; ratio: number }>;
  rss: Array<{ rows: number; format: string; peakRssMiB: number }>;
}

/** A benchmark that did not produce figures, and why. */
export interface Missing {
  status: 'not available' | 'failed';
  reason: string;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverage: number[];
  platform: string;
  node: string;
  opensearch: string;
}

export interface ResultsSet {
  date: string;
  startedAt: string;
  finishedAt: string;
  events: number;
  command: string;
  machine: Machine;
  ingest: IngestResult | Missing;
  query: QueryResult | Missing;
  export: ExportResult | Missing;
}

export function isMissing(value: object): value is Missing {
  return 'status' in value;
}
