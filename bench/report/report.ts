import { markdownTable } from './markdown';
import { type IngestResult, type ResultsSet, isMissing } from './results';
import { barChart, lineChart } from './svg-chart';

export interface Chart {
  /** File name suffix: `<date>-<name>.svg`. */
  name: string;
  title: string;
  svg: string;
}

export function renderCharts(results: ResultsSet): Chart[] {
  const charts: Chart[] = [];
  const { ingest, query } = results;
  const exported = results.export;
  if (!isMissing(ingest)) {
    const title = `Ingest throughput vs concurrent clients (${ingest.events.toLocaleString('en-US')} events)`;
    charts.push({
      name: 'ingest-throughput',
      title,
      svg: lineChart({
        title,
        xLabel: `concurrent clients (batches of ${ingest.batch})`,
        yLabel: 'events/s',
        logX: true,
        series: [
          {
            name: 'ingest API',
            points: ingest.levels.map((l) => ({ x: l.clients, y: l.apiEventsPerSecond })),
          },
          {
            name: 'raw _bulk',
            points: ingest.levels.map((l) => ({ x: l.clients, y: l.rawEventsPerSecond })),
          },
        ],
      }),
    });
  }
  if (!isMissing(query)) {
    const title = `Query latency, API vs direct (${query.events.toLocaleString('en-US')} events)`;
    const series = (['api', 'direct'] as const).flatMap((side) =>
      (['p50Ms', 'p95Ms', 'p99Ms'] as const).map((p) => ({
        name: `${side === 'api' ? 'API' : 'direct'} ${p.slice(0, 3)}`,
        values: query.cases.map((c) => c[side][p]),
      })),
    );
    charts.push({
      name: 'query-latency',
      title,
      svg: barChart({ title, yLabel: 'ms', categories: query.cases.map((c) => c.name), series }),
    });
  }
  if (!isMissing(exported)) {
    const title = `Export throughput (${exported.events.toLocaleString('en-US')} events)`;
    charts.push({
      name: 'export-throughput',
      title,
      svg: barChart({
        title,
        yLabel: 'rows/s',
        categories: ['raw scan', ...exported.formats.map((f) => f.format)],
        series: [
          {
            name: 'rows/s',
            values: [exported.raw.rowsPerSecond, ...exported.formats.map((f) => f.rowsPerSecond)],
          },
        ],
      }),
    });
    const formats = [...new Set(exported.rss.map((r) => r.format))];
    const rssTitle = 'Export peak RSS vs rows';
    charts.push({
      name: 'export-rss',
      title: rssTitle,
      svg: lineChart({
        title: rssTitle,
        xLabel: 'rows exported',
        yLabel: 'peak RSS (MiB)',
        series: formats.map((format) => ({
          name: format,
          points: exported.rss
            .filter((r) => r.format === format)
            .map((r) => ({ x: r.rows, y: r.peakRssMiB })),
        })),
      }),
    });
  }
  return charts;
}

function missing(name: string, value: { status: string; reason: string }): string {
  return `## ${name}\n\n${name.toLowerCase()}: ${value.status} (${value.reason})\n`;
}

export function renderMarkdown(results: ResultsSet, charts: Chart[]): string {
  const { machine, ingest, query } = results;
  const exported = results.export;
  const sections = [
    `# Benchmark results ${results.date}\n`,
    `Command: \`${results.command}\` (${results.startedAt} – ${results.finishedAt})\n`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, load average ${machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')} at the start, ${machine.platform}, Node.js ${machine.node}, OpenSearch ${machine.opensearch}.\n`,
  ];
  if (isMissing(ingest)) sections.push(missing('Ingest', ingest));
  else sections.push(...ingestSections(ingest));
  if (isMissing(query)) sections.push(missing('Query', query));
  else
    sections.push(
      `## Query\n\n${query.events.toLocaleString('en-US')} events, ${query.iterations} iterations per query.\n`,
      markdownTable(
        [
          'query',
          'rows',
          'API p50 ms',
          'API p95 ms',
          'API p99 ms',
          'direct p50 ms',
          'direct p95 ms',
          'direct p99 ms',
          'ratio p50',
        ],
        query.cases.map((c) => [
          c.name,
          c.rows,
          c.api.p50Ms,
          c.api.p95Ms,
          c.api.p99Ms,
          c.direct.p50Ms,
          c.direct.p95Ms,
          c.direct.p99Ms,
          c.api.p50Ms / c.direct.p50Ms,
        ]),
      ),
    );
  if (isMissing(exported)) sections.push(missing('Export', exported));
  else
    sections.push(
      `## Export\n\n${exported.events.toLocaleString('en-US')} events; raw scan ${exported.raw.rowsPerSecond.toFixed(0)} rows/s.\n`,
      markdownTable(
        [
          'format',
          'rows/s',
          'ratio to raw',
          'paired raw rows/s',
          'export CPU ms/1k rows (OpenSearch + worker)',
          'raw CPU ms/1k rows (OpenSearch + client)',
          'CPU ratio',
        ],
        exported.formats.map((f) => [
          f.format,
          f.rowsPerSecond,
          f.ratio,
          f.raw?.rowsPerSecond ?? '',
          f.openSearchCpuMsPerKRow === undefined
            ? ''
            : `${f.openSearchCpuMsPerKRow} + ${f.workerCpuMsPerKRow ?? '?'}`,
          f.raw ? `${f.raw.openSearchCpuMsPerKRow} + ${f.raw.clientCpuMsPerKRow}` : '',
          f.cpuRatio ?? '',
        ]),
      ),
      '',
      markdownTable(
        ['rows', 'format', 'peak RSS MiB'],
        exported.rss.map((r) => [r.rows, r.format, r.peakRssMiB]),
      ),
    );
  if (charts.length > 0)
    sections.push(
      `## Charts\n\n${charts.map((chart) => `![${chart.title}](${results.date}-${chart.name}.svg)`).join('\n\n')}\n`,
    );
  return sections.join('\n');
}

function ingestSections(ingest: IngestResult): string[] {
  const dash = (value: number | undefined): number | string => value ?? '–';
  const sections = [
    `## Ingest\n\n${ingest.events.toLocaleString('en-US')} events of ~${ingest.eventBytes} bytes, batches of ${ingest.batch}, split evenly over the connection levels${ingest.tool ? `; load from ${ingest.tool}` : ''}${ingest.logLevel ? `; ingest logging at ${ingest.logLevel}` : ''}. CPU/event is the ingest process's user + system CPU over the events stored.\n`,
    markdownTable(
      [
        'connections',
        'events',
        'ingest CPU µs/event',
        'raw _bulk events/s',
        'ingest API events/s',
        'ratio API / raw',
        'OpenSearch CPU µs/event raw / API',
        'API p99 ms',
      ],
      ingest.levels.map((l) => [
        l.clients,
        l.events,
        dash(l.cpuMicrosPerEvent),
        l.rawEventsPerSecond,
        l.apiEventsPerSecond,
        l.ratio,
        l.raw && l.api
          ? `${l.raw.openSearchCpuMicrosPerEvent} / ${l.api.openSearchCpuMicrosPerEvent}`
          : '–',
        dash(l.api?.p99Ms),
      ]),
    ),
  ];
  if (ingest.single) {
    const { single } = ingest;
    sections.push(
      `Single events (\`POST /v1/events\`, ${single.connections} connections, ${single.events} events): API ${single.api.eventsPerSecond} events/s at ${single.api.cpuMicrosPerEvent} µs/event against raw one-document \`_create\` ${single.raw.eventsPerSecond} events/s with the same durability: ratio ${single.ratio}.\n`,
    );
  }
  const { latency } = ingest;
  sections.push(
    `Ack latency at ${latency.eventsPerSecond.toFixed(0)} events/s (half the best API rate, batches of ${latency.batch}), ${latency.count} requests: p50 ${latency.p50Ms} ms${latency.p95Ms === undefined ? '' : `, p95 ${latency.p95Ms} ms`}, p99 ${latency.p99Ms} ms${latency.bulkCalls === undefined ? '' : ` (${latency.bulkCallsOver50Ms} of its ${latency.bulkCalls} \`_bulk\` calls took over 50 ms)`}${latency.raw === undefined ? '' : `; raw \`_bulk\` of the same batches at the same pace: p50 ${latency.raw.p50Ms} ms, p99 ${latency.raw.p99Ms} ms`}${latency.floor === undefined ? '' : `; the bare node:http floor at the same pace: p50 ${latency.floor.p50Ms} ms, p99 ${latency.floor.p99Ms} ms`}.\n`,
  );
  if (ingest.workers && ingest.workers.length > 0) {
    sections.push(
      markdownTable(
        ['ingest processes', 'connections', 'API events/s', 'ingest CPU µs/event', 'API p99 ms'],
        ingest.workers.map((w) => [
          w.processes,
          w.connections,
          w.eventsPerSecond,
          w.cpuMicrosPerEvent,
          w.p99Ms,
        ]),
      ),
    );
  }
  return sections;
}
