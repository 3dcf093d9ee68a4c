import type { LatencySummary } from './stats';

/** One side of an ingest measurement (raw OpenSearch or the ingest API). */
export interface IngestSide {
  eventsPerSecond: number;
  /** Request latency under full load (autocannon). */
  p50Ms: number;
  p99Ms: number;
  /** OpenSearch's own process CPU over the run, per event written. */
  openSearchCpuMicrosPerEvent: number;
}

/** Requests sent at even intervals (bench/ingest/paced.ts) and their ack latency. */
export interface PacedFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
}

export interface IngestApiSide extends IngestSide {
  /** The ingest process tree's user + system CPU over the run, per event stored. */
  cpuMicrosPerEvent: number;
}

export interface IngestLevel {
  /** Concurrent connections of the load generator. */
  clients: number;
  events: number;
  rawEventsPerSecond: number;
  apiEventsPerSecond: number;
  ratio: number;
  /** The headline: ingest CPU per stored event at this level. */
  cpuMicrosPerEvent?: number;
  raw?: IngestSide;
  api?: IngestApiSide;
}

/** What `bench/ingest/cli.ts --out` writes. */
export interface IngestResult {
  benchmark: 'ingest';
  tool?: string;
  events: number;
  eventBytes: number;
  batch: number;
  logLevel?: string;
  levels: IngestLevel[];
  /** `POST /v1/events` against raw one-document `_create` requests with the same durability. */
  single?: {
    connections: number;
    events: number;
    raw: IngestSide;
    api: IngestApiSide;
    ratio: number;
  };
  latency: Partial<LatencySummary> & {
    eventsPerSecond: number;
    batch: number;
    count: number;
    p50Ms: number;
    p99Ms: number;
    /** Raw `_bulk` of the same batches at the same pace and durability, run just before. */
    raw?: PacedFigures;
    /** The bare node:http floor server (bench/ingest/floor-server.ts) at the same pace. */
    floor?: PacedFigures;
    /** The ingest app's `_bulk` calls during its run, and those that took over 50 ms. */
    bulkCalls?: number;
    bulkCallsOver50Ms?: number;
  };
  /** Batch throughput at the highest connection level with 1 and more ingest processes. */
  workers?: Array<IngestApiSide & { processes: number; connections: number }>;
}

/** What `bench/query/run.ts --out` writes. */
export interface QueryResult {
  benchmark: 'query';
  events: number;
  iterations: number;
  cases: Array<{
    name: string;
    rows: number;
    api: LatencySummary;
    direct: LatencySummary;
    /** OpenSearch's own time (`took`) of the direct searches. */
    directTookMs?: LatencySummary;
    /** The query process's user + system CPU per API request, over back-to-back requests. */
    cpuMicrosPerRequest?: number;
    /** 1-minute load average when the case started and ended. */
    loadAverage?: [number, number];
    /** `--floor`: a bare node:http server sending the direct query (bench/query/floor-server.ts). */
    floor?: LatencySummary & { cpuMicrosPerRequest: number };
  }>;
}

/** What `bench/export/run.ts --out` writes. */
export interface ExportResult {
  benchmark: 'export';
  events: number;
  raw: { rowsPerSecond: number };
  formats: Array<{
    format: string;
    rowsPerSecond: number;
    ratio: number;
    /** The raw scan run right before this export (rows/s and CPU per 1,000 rows). */
    raw?: { rowsPerSecond: number; openSearchCpuMsPerKRow: number; clientCpuMsPerKRow: number };
    workerCpuMsPerKRow?: number;
    openSearchCpuMsPerKRow?: number;
    /** CPU per row of the raw scan over that of the export: the ratio saturated cores allow. */
    cpuRatio?: number;
  }>;
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
