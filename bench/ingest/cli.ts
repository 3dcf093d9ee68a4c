/**
 * Ingest benchmark, driven by the HTTP load generator autocannon: sustained events/s
 * through the ingest API next to raw `_bulk` of the same documents into the same
 * OpenSearch (same template, mapping and durability), at several connection counts; the
 * CPU the ingest process spends per stored event (the headline: it is far steadier than
 * throughput on a shared machine) and what OpenSearch spends; single-event requests
 * against raw one-document `_create` requests; ack latency at half the best rate, beside
 * raw `_bulk` and the bare node:http floor (floor-server.ts) at the same pace; and
 * throughput with 1 and 2 ingest processes (`INGEST_WORKERS`).
 *
 *   npx tsx bench/ingest/cli.ts [--events 1e5] [--clients 1,8,64] [--batch 100]
 *     [--single-events 2e4] [--workers 1,2] [--latency-seconds 15] [--out f.json]
 *     [--profile-dir /tmp/prof]
 *
 * Runs the built app from dist/ (build first). The ingest process logs at `info`, as an
 * operator runs it; its log goes to a temporary file.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import type { StoredEvent } from '@auditlog/events';
import { type AppProcess, dropPrefix, cycle, firstOf, lastOf } from '@auditlog/testing';
import { parseCount, parseCountList } from '../report/args';
import type { IngestLevel, IngestResult, IngestSide } from '../report/results';
import { round } from '../report/stats';
import { benchEvent } from './bench-events';
import { type CpuWindow, measureCpu } from './cpu';
import { type LoadResult, runLoad } from './load';
import { runPaced } from './paced';
import { startBenchIngest } from './bench-ingest';
import { bulkBody, rawIndex, stored } from './raw-bulk';
import { bulkTail, scrapeMetrics } from './app-metrics';
import { startFloorProcess } from '../floor-process';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '1,8,64' },
    batch: { type: 'string', default: '100' },
    'single-events': { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    'latency-seconds': { type: 'string', default: '15' },
    'profile-dir': { type: 'string' },
    out: { type: 'string' },
  },
});
const EVENTS = parseCount(values.events);
const CLIENT_LEVELS = parseCountList(values.clients, '--clients');
const BATCH = parseCount(values.batch, '--batch');
const SINGLE_EVENTS = parseCount(
  values['single-events'] ?? String(Math.min(20_000, Math.max(2000, Math.round(EVENTS / 5)))),
  '--single-events',
);
const WORKER_LEVELS = parseCountList(values.workers, '--workers');
const LATENCY_SECONDS = parseCount(values['latency-seconds'], '--latency-seconds');
const SINGLE_CONNECTIONS = 64;
const COMPANIES = 10;
const FLOOR_PORT = 3916;
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const run = randomBytes(3).toString('hex');
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * Copies the template the ingest app installed at start to the raw prefix, so both sides
 * write into fresh indices with identical settings, mappings and translog durability.
 */
async function copyTemplate(client: Client, fromPrefix: string, toPrefix: string): Promise<void> {
  const { body } = await client.indices.getIndexTemplate({ name: `${fromPrefix}-events` });
  const source = firstOf(body.index_templates, 'index template').index_template as unknown as {
    template: Record<string, unknown>;
    priority: number;
  };
  await client.indices.putIndexTemplate({
    name: `${toPrefix}-events`,
    body: {
      index_patterns: [`${toPrefix}-events-*`],
      priority: source.priority,
      template: { ...source.template, aliases: {} },
    },
  });
}

interface Ingest {
  app: AppProcess;
  prefix: string;
}

/** `INGEST_BULK_*` of the benchmark's own environment, so a run can try other group-commit settings. */
function groupCommitSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).flatMap(([name, value]) =>
      name.startsWith('INGEST_BULK_') && value !== undefined ? [[name, value]] : [],
    ),
  );
}

function startIngest(prefix: string, secret: string, workers: number): Promise<AppProcess> {
  const profile = values['profile-dir'];
  return startBenchIngest({
    prefix,
    secret,
    logName: `ingest-${run}`,
    env: { INGEST_WORKERS: String(workers), ...groupCommitSettings() },
    nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  });
}

/** Producer events [from, to) and the same events as stored (validated and hashed untimed). */
function prepare(tag: string, count: number): { inputs: unknown[]; documents: StoredEvent[] } {
  const inputs = Array.from({ length: count }, (_, i) => benchEvent(`${run}-${tag}`, i, COMPANIES));
  return { inputs, documents: inputs.map(stored) };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

function side(load: LoadResult, events: number, cpu: CpuWindow): IngestSide {
  return {
    eventsPerSecond: round(events / load.seconds, 0),
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    openSearchCpuMicrosPerEvent: round(cpu.openSearchMicros / events, 1),
  };
}

/** Raw `_bulk` of the documents, in bodies of BATCH events, over `connections`. */
async function rawBatches(
  client: Client,
  prefix: string,
  documents: StoredEvent[],
  connections: number,
): Promise<IngestSide> {
  const bodies = chunks(documents, BATCH).map((chunk) => bulkBody(rawIndex(prefix), chunk));
  const { value, cpu } = await measureCpu(client, undefined, () =>
    runLoad({
      url: OPENSEARCH_URL,
      connections,
      headers: { 'content-type': 'application/x-ndjson' },
      amount: bodies.length,
      request: (n) => ({ method: 'POST', path: '/_bulk', body: cycle(bodies, n, 'bulk body') }),
    }),
  );
  return side(value, documents.length, cpu);
}

async function apiBatches(
  client: Client,
  ingest: Ingest,
  secret: string,
  inputs: unknown[],
  connections: number,
): Promise<IngestSide & { cpuMicrosPerEvent: number }> {
  const bodies = chunks(inputs, BATCH).map((chunk) => JSON.stringify(chunk));
  const { value, cpu } = await measureCpu(client, ingest.app.child.pid, () =>
    runLoad({
      url: ingest.app.url,
      connections,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      amount: bodies.length,
      request: (n) => ({
        method: 'POST',
        path: '/v1/events/batch',
        body: cycle(bodies, n, 'batch body'),
      }),
    }),
  );
  return {
    ...side(value, inputs.length, cpu),
    cpuMicrosPerEvent: round(cpu.appMicros / inputs.length, 1),
  };
}

function sideText(name: string, figures: IngestSide & { cpuMicrosPerEvent?: number }): string {
  const cpu =
    figures.cpuMicrosPerEvent === undefined
      ? ''
      : `, ingest CPU ${figures.cpuMicrosPerEvent} µs/event`;
  return `${name} ${figures.eventsPerSecond} events/s (p99 ${figures.p99Ms} ms${cpu}, OpenSearch CPU ${figures.openSearchCpuMicrosPerEvent} µs/event)`;
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL, requestTimeout: 120_000 });
  const rawPrefix = `bench-raw-${run}`;
  const apiPrefix = `bench-api-${run}`;
  const secret = randomBytes(32).toString('base64url');
  const eventBytes = Buffer.byteLength(JSON.stringify(benchEvent(run, 0, COMPANIES)));
  const started: AppProcess[] = [];
  const start = async (prefix: string, workers: number): Promise<Ingest> => {
    const app = await startIngest(prefix, secret, workers);
    started.push(app);
    return { app, prefix };
  };
  try {
    log(
      `ingest benchmark (autocannon): ${EVENTS} events of ~${eventBytes} bytes, connections ${CLIENT_LEVELS.join('/')}, batches of ${BATCH}, OpenSearch ${OPENSEARCH_URL}, ingest logging at info`,
    );
    const ingest = await start(apiPrefix, 1);
    await copyTemplate(client, apiPrefix, rawPrefix);

    // Warm both sides up (JIT, connection pools, index creation) before measuring.
    const warm = prepare('warm', Math.min(5000, Math.max(1000, Math.round(EVENTS / 20))));
    await rawBatches(client, rawPrefix, warm.documents, 8);
    await apiBatches(client, ingest, secret, warm.inputs, 8);

    const perLevel = Math.ceil(EVENTS / CLIENT_LEVELS.length);
    const levels: IngestLevel[] = [];
    for (const connections of CLIENT_LEVELS) {
      const block = prepare(`c${connections}`, perLevel);
      const raw = await rawBatches(client, rawPrefix, block.documents, connections);
      const api = await apiBatches(client, ingest, secret, block.inputs, connections);
      const ratio = round(api.eventsPerSecond / raw.eventsPerSecond, 2);
      levels.push({
        clients: connections,
        events: perLevel,
        rawEventsPerSecond: raw.eventsPerSecond,
        apiEventsPerSecond: api.eventsPerSecond,
        ratio,
        cpuMicrosPerEvent: api.cpuMicrosPerEvent,
        raw,
        api,
      });
      log(
        `${String(connections).padStart(3)} connections: CPU ${api.cpuMicrosPerEvent} µs/event; ratio ${ratio}; ${sideText('raw _bulk', raw)}; ${sideText('API', api)}`,
      );
    }

    // Single events: the group commit against one-document requests with the same fsync.
    const singles = prepare('single', SINGLE_EVENTS);
    const rawIndexName = rawIndex(rawPrefix);
    const singleRaw = await measureCpu(client, undefined, () =>
      runLoad({
        url: OPENSEARCH_URL,
        connections: SINGLE_CONNECTIONS,
        headers: { 'content-type': 'application/json' },
        amount: singles.documents.length,
        request: (n) => {
          const document = cycle(singles.documents, n, 'document');
          return {
            method: 'PUT',
            path: `/${rawIndexName}/_create/${encodeURIComponent(`${document.company_id}:${document.id}`)}`,
            body: JSON.stringify(document),
          };
        },
      }),
    );
    const singleBodies = singles.inputs.map((input) => JSON.stringify(input));
    const singleApi = await measureCpu(client, ingest.app.child.pid, () =>
      runLoad({
        url: ingest.app.url,
        connections: SINGLE_CONNECTIONS,
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        amount: singleBodies.length,
        request: (n) => ({
          method: 'POST',
          path: '/v1/events',
          body: cycle(singleBodies, n, 'event body'),
        }),
      }),
    );
    const single = {
      connections: SINGLE_CONNECTIONS,
      events: SINGLE_EVENTS,
      raw: side(singleRaw.value, SINGLE_EVENTS, singleRaw.cpu),
      api: {
        ...side(singleApi.value, SINGLE_EVENTS, singleApi.cpu),
        cpuMicrosPerEvent: round(singleApi.cpu.appMicros / SINGLE_EVENTS, 1),
      },
      ratio: 0,
    };
    single.ratio = round(single.api.eventsPerSecond / single.raw.eventsPerSecond, 2);
    log(
      `single events, ${SINGLE_CONNECTIONS} connections: ratio ${single.ratio}; ${sideText('raw _create', single.raw)}; ${sideText('API', single.api)}`,
    );

    // Ack latency at half the best batch rate, requests sent at even intervals (paced.ts).
    const half = Math.max(...levels.map((level) => level.apiEventsPerSecond)) / 2;
    const pacedBatch = Math.max(1, Math.min(BATCH, Math.round(half / 50)));
    const pacedRate = half / pacedBatch;
    const paced = (
      target: string,
      path: string,
      contentType: string,
      body: (events: number) => string,
    ): Promise<LoadResult> =>
      runPaced({
        url: target,
        headers: { authorization: `Bearer ${secret}`, 'content-type': contentType },
        rate: Math.max(1, pacedRate),
        durationSeconds: LATENCY_SECONDS,
        request: () => ({ method: 'POST', path, body: body(pacedBatch) }),
      });
    let latencyCounter = 0;
    const nextEvents = (tag: string, count: number): unknown[] =>
      Array.from({ length: count }, () => benchEvent(`${run}-${tag}`, latencyCounter++, COMPANIES));
    // The same pace and batch size as raw `_bulk` first: the latency OpenSearch itself gives;
    // then the bare node:http floor (floor-server.ts): the least any Node.js API adds.
    const rawLatency = await paced(OPENSEARCH_URL, '/_bulk', 'application/x-ndjson', (count) =>
      bulkBody(rawIndex(rawPrefix), nextEvents('lat-raw', count).map(stored)),
    );
    const floor = await startFloorProcess(resolve(__dirname, 'floor-server.ts'), {
      PORT: String(FLOOR_PORT),
      OPENSEARCH_URL,
      INDEX: rawIndex(rawPrefix).replace('-events-', '-events-floor-'),
    });
    const floorLatency = await paced(
      `http://127.0.0.1:${FLOOR_PORT}`,
      '/v1/events/batch',
      'application/json',
      (count) => JSON.stringify(nextEvents('lat-floor', count)),
    ).finally(() => floor.stop());
    const metricsBefore = await scrapeMetrics(ingest.app.url);
    const latencyRun = await paced(
      ingest.app.url,
      '/v1/events/batch',
      'application/json',
      (count) => JSON.stringify(nextEvents('lat', count)),
    );
    const bulks = bulkTail(metricsBefore, await scrapeMetrics(ingest.app.url));
    const figures = (load: LoadResult): { count: number; p50Ms: number; p99Ms: number } => ({
      count: load.requests,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
    });
    const latency = {
      eventsPerSecond: round(half, 0),
      batch: pacedBatch,
      ...figures(latencyRun),
      bulkCalls: bulks.calls,
      bulkCallsOver50Ms: bulks.over50Ms,
      raw: figures(rawLatency),
      floor: figures(floorLatency),
    };
    log(
      `ack latency at ${latency.eventsPerSecond} events/s (half the best), batches of ${pacedBatch}: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${latency.count} requests (${bulks.over50Ms} of its ${bulks.calls} _bulk calls took over 50 ms); at the same pace raw _bulk p50 ${latency.raw.p50Ms} ms, p99 ${latency.raw.p99Ms} ms; bare node:http p50 ${latency.floor.p50Ms} ms, p99 ${latency.floor.p99Ms} ms`,
    );

    // Processes: the highest connection level again with 1 and with N ingest processes.
    const connections = lastOf(CLIENT_LEVELS, 'client level');
    const workers: IngestResult['workers'] = [];
    for (const count of WORKER_LEVELS) {
      const target = count === 1 ? ingest : await start(`${apiPrefix}-w${count}`, count);
      const block = prepare(`w${count}`, perLevel);
      const api = await apiBatches(client, target, secret, block.inputs, connections);
      workers.push({ processes: count, connections, ...api });
      log(`${count} ingest process(es), ${connections} connections: ${sideText('API', api)}`);
    }

    const result: IngestResult = {
      benchmark: 'ingest',
      tool: 'autocannon',
      events: EVENTS,
      eventBytes,
      batch: BATCH,
      logLevel: 'info',
      levels,
      single,
      latency,
      workers,
    };
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const app of started.reverse()) await app.kill('SIGTERM');
    await dropPrefix(client, rawPrefix);
    await dropPrefix(client, apiPrefix);
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ingest benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
