/**
 * Ack latency of batches sent open-loop at even intervals (paced.ts), three sides at the
 * same pace, alternated round by round so a shared machine's load falls on all of them:
 * raw `_bulk` of the stored documents, the bare `node:http` floor server (floor-server.ts:
 * parse, serialise, hash, one `_bulk`) and the ingest API. Every side writes into an index
 * of the ingest app's own template (same mapping and translog durability).
 *
 *   npx tsx bench/ingest/ack-latency.ts [--rate 7500] [--batch 100] [--seconds 15]
 *     [--rounds 2] [--sides raw,floor,api] [--node-args=--trace-gc]
 *
 * `--rate` is in events per second. Prints p50/p90/p99/max per side and round, the CPU per
 * event of the two servers, and for the ingest API where its time went, from its own
 * `/metrics` over the round: the share of its `_bulk` calls that took longer than 25 and 50
 * ms (OpenSearch's part of the tail) and the time it spent in garbage collection. Runs the built app from dist/ (build first).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { dropPrefix } from '@auditlog/testing';
import { parseCount } from '../report/args';
import { startFloorProcess } from '../floor-process';
import { benchEvent } from './bench-events';
import { nodeArgsOf, startBenchIngest } from './bench-ingest';
import { bulkBody, rawIndex, stored } from './raw-bulk';
import { bulkTail, gcTime, type MetricSamples, scrapeMetrics as scrape } from './app-metrics';
import { processTreeCpuMicros } from './cpu';
import { runPaced } from './paced';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '7500' },
    batch: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '2' },
    sides: { type: 'string', default: 'raw,floor,api' },
    'node-args': { type: 'string' },
  },
});
const RATE = parseCount(values.rate, '--rate');
const BATCH = parseCount(values.batch, '--batch');
const SECONDS = parseCount(values.seconds, '--seconds');
const ROUNDS = parseCount(values.rounds, '--rounds');
const SIDES = values.sides.split(',');
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const FLOOR_PORT = 3915;
const run = randomBytes(3).toString('hex');
const COMPANIES = 10;

interface Side {
  name: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  pid?: number;
  /** Serves Prometheus metrics at /metrics. */
  metrics?: boolean;
  body: (events: unknown[]) => string;
}

let sent = 0;
const nextEvents = (): unknown[] =>
  Array.from({ length: BATCH }, () => benchEvent(`${run}-lat`, sent++, COMPANIES));

async function main(): Promise<void> {
  const prefix = `bench-lat-${run}`;
  const secret = randomBytes(32).toString('base64url');
  const client = new Client({ node: OPENSEARCH_URL });
  const app = await startBenchIngest({
    prefix,
    secret,
    logName: `ack-latency-${run}`,
    nodeArgs: nodeArgsOf(values['node-args']),
  });
  const floor = await startFloorProcess(resolve(__dirname, 'floor-server.ts'), {
    PORT: String(FLOOR_PORT),
    OPENSEARCH_URL,
    INDEX: rawIndex(prefix).replace('-events-', '-events-floor-'),
  });
  const all: Side[] = [
    {
      name: 'raw _bulk',
      url: OPENSEARCH_URL,
      path: '/_bulk',
      headers: { 'content-type': 'application/x-ndjson' },
      body: (events) =>
        bulkBody(rawIndex(prefix).replace('-events-', '-events-raw-'), events.map(stored)),
    },
    {
      name: 'bare node:http',
      url: `http://127.0.0.1:${FLOOR_PORT}`,
      path: '/v1/events/batch',
      headers: { 'content-type': 'application/json' },
      pid: floor.pid,
      body: (events) => JSON.stringify(events),
    },
    {
      name: 'ingest API',
      url: app.url,
      path: '/v1/events/batch',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      pid: app.child.pid,
      metrics: true,
      body: (events) => JSON.stringify(events),
    },
  ];
  const sides = all.filter((_, i) => SIDES.includes(['raw', 'floor', 'api'][i] as string));
  try {
    process.stdout.write(
      `ack latency at ${RATE} events/s in batches of ${BATCH} (${(RATE / BATCH).toFixed(1)} requests/s), ${SECONDS} s per side and round\n`,
    );
    // Warm-up: JIT, sockets, index creation.
    for (const side of sides) await pace(side, 3);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of sides) {
        const before = side.pid === undefined ? 0 : processTreeCpuMicros(side.pid);
        const metricsBefore = side.metrics ? await scrape(side.url) : undefined;
        const result = await pace(side, SECONDS);
        const cpu =
          side.pid === undefined
            ? ''
            : `, ${((processTreeCpuMicros(side.pid) - before) / (result.requests * BATCH)).toFixed(1)} µs CPU/event`;
        const breakdown = metricsBefore ? serverSide(metricsBefore, await scrape(side.url)) : '';
        process.stdout.write(
          `  round ${round} ${side.name.padEnd(15)} p50 ${result.p50Ms} · p90 ${result.p90Ms} · p99 ${result.p99Ms} · max ${result.maxMs} ms over ${result.requests} requests${cpu}${breakdown}\n`,
        );
      }
    }
  } finally {
    await floor.stop();
    await app.kill('SIGTERM');
    await dropPrefix(client, prefix);
    await client.close();
  }
}

/** The round's `_bulk` calls slower than 25 and 50 ms, and its garbage collection time. */
function serverSide(before: MetricSamples, after: MetricSamples): string {
  const bulks = bulkTail(before, after);
  const share = (over: number): string =>
    bulks.calls === 0 ? '-' : `${((over / bulks.calls) * 100).toFixed(1)}%`;
  const gc = gcTime(before, after)
    .map(({ kind, count, ms }) => `${kind} ${count}× ${ms.toFixed(0)} ms`)
    .join(', ');
  return `; ${bulks.calls} _bulk calls, ${share(bulks.over25Ms)} over 25 ms, ${share(bulks.over50Ms)} over 50 ms; GC ${gc}`;
}

/** The bodies are built before the clock starts: building them is not the server's latency. */
function pace(side: Side, seconds: number): ReturnType<typeof runPaced> {
  const bodies = Array.from({ length: Math.round((RATE / BATCH) * seconds) }, () =>
    side.body(nextEvents()),
  );
  return runPaced({
    url: side.url,
    headers: side.headers,
    rate: RATE / BATCH,
    durationSeconds: seconds,
    request: (n) => ({ method: 'POST', path: side.path, body: bodies[n] as string }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ack-latency failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
