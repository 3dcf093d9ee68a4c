import { renderCharts, renderMarkdown } from './report';
import type { ResultsSet } from './results';

const latency = (p50: number) => ({
  count: 40,
  p50Ms: p50,
  p95Ms: p50 * 2,
  p99Ms: p50 * 3,
  maxMs: p50 * 4,
});

function resultsSet(overrides: Partial<ResultsSet> = {}): ResultsSet {
  return {
    date: '2026-11-23',
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:10:00.000Z',
    events: 100_000,
    command: 'npm run bench -- --events 1e5',
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 8,
      loadAverage: [1, 2, 3],
      platform: 'Linux',
      node: '20.19.0',
      opensearch: '3.4.0',
    },
    ingest: {
      benchmark: 'ingest',
      events: 100_000,
      eventBytes: 1150,
      batch: 100,
      levels: [1, 4, 16, 64].map((clients) => ({
        clients,
        events: 25_000,
        rawEventsPerSecond: clients * 100,
        apiEventsPerSecond: clients * 90,
        ratio: 0.9,
      })),
      latency: { eventsPerSecond: 2880, batch: 58, ...latency(20) },
    },
    query: {
      benchmark: 'query',
      events: 100_000,
      iterations: 40,
      cases: [
        { name: 'last 24 h', rows: 100, api: latency(30), direct: latency(20) },
        { name: 'free text', rows: 100, api: latency(40), direct: latency(20) },
      ],
    },
    export: { status: 'not available', reason: 'bench/export/run.ts does not exist' },
    ...overrides,
  };
}

describe('benchmark report', () => {
  it('charts ingest and query, and leaves out the export that did not run', () => {
    const charts = renderCharts(resultsSet());
    expect(charts.map((chart) => chart.name)).toEqual(['ingest-throughput', 'query-latency']);
    expect(charts[0]?.svg).toContain('>raw _bulk</text>');
    expect(charts[0]?.svg).toContain('>ingest API</text>');
    expect(charts[1]?.svg.match(/<rect class="bar"/g)).toHaveLength(2 * 6);
  });

  it('charts export throughput and RSS once the export benchmark reports', () => {
    const charts = renderCharts(
      resultsSet({
        export: {
          benchmark: 'export',
          events: 100_000,
          raw: { rowsPerSecond: 10_000 },
          formats: [
            { format: 'csv', rowsPerSecond: 8000, ratio: 0.8 },
            { format: 'xlsx', rowsPerSecond: 4000, ratio: 0.4 },
          ],
          rss: [
            { rows: 10_000, format: 'csv', peakRssMiB: 120 },
            { rows: 100_000, format: 'csv', peakRssMiB: 125 },
            { rows: 10_000, format: 'xlsx', peakRssMiB: 150 },
            { rows: 100_000, format: 'xlsx', peakRssMiB: 160 },
          ],
        },
      }),
    );
    expect(charts.map((chart) => chart.name)).toEqual([
      'ingest-throughput',
      'query-latency',
      'export-throughput',
      'export-rss',
    ]);
    expect(charts[3]?.svg.match(/<polyline class="series"/g)).toHaveLength(2);
  });

  it('writes tables, the missing export, the machine and links to the charts', () => {
    const results = resultsSet();
    const markdown = renderMarkdown(results, renderCharts(results));
    expect(markdown).toContain('# Benchmark results 2026-11-23');
    expect(markdown).toContain('2 × Test CPU, 8 GiB RAM');
    expect(markdown).toContain('| 64 | 25,000 | – | 6,400 | 5,760 | 0.9 | – | – |');
    expect(markdown).toContain('| last 24 h | 100 | 30 | 60 | 90 | 20 | 40 | 60 | 1.5 |');
    expect(markdown).toContain('export: not available (bench/export/run.ts does not exist)');
    expect(markdown).toContain(
      '![Ingest throughput vs concurrent clients (100,000 events)](2026-11-23-ingest-throughput.svg)',
    );
  });
});
