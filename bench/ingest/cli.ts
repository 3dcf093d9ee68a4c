/**
 * Ingest benchmark: sustained events/s through the ingest API next to raw `_bulk` of the
 * same documents into the same OpenSearch, at several numbers of concurrent clients, plus
 * ack latency at half the API's best rate.
 *
 *   npm run bench:ingest -- [--events 1e5] [--clients 1,4,16,64] [--batch 100] [--out f.json]
 */
import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { normalizeEvent, type StoredEvent } from '@auditlog/events';
import { type AppProcess, dropPrefix, startAppProcess } from '@auditlog/testing';
import { parseCount, parseCountList } from '../report/args';
import type { IngestResult } from '../report/results';
import { round, summarize } from '../report/stats';
import { benchEvent } from './bench-events';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '1,4,16,64' },
    batch: { type: 'string', default: '100' },
    'latency-seconds': { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const EVENTS = parseCount(values.events);
const CLIENT_LEVELS = parseCountList(values.clients, '--clients');
const BATCH = parseCount(values.batch, '--batch');
const LATENCY_SECONDS = parseCount(values['latency-seconds'], '--latency-seconds');
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomBytes(3).toString('hex');
/** Events prepared in memory at a time (about 2.5 KB each with their stored form). */
const BLOCK = 50_000;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * Copies the template the ingest app installed at start to the raw prefix, so both sides
 * write into fresh indices with identical settings and mappings.
 */
async function copyTemplate(client: Client, fromPrefix: string, toPrefix: string): Promise<void> {
  const { body } = await client.indices.getIndexTemplate({ name: `${fromPrefix}-events` });
  const source = body.index_templates[0].index_template as unknown as {
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

/** Runs `total` items in chunks of `size` through `clients` concurrent workers; events/s. */
async function drive<T>(
  items: T[],
  size: number,
  clients: number,
  send: (chunk: T[]) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) {
        const chunk = items.slice(next, next + size);
        next += size;
        await send(chunk);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return items.length / seconds;
}

async function rawBulk(
  client: Client,
  prefix: string,
  documents: StoredEvent[],
  clients: number,
): Promise<number> {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
  return drive(documents, BATCH, clients, async (chunk) => {
    const body = chunk.flatMap((document) => [
      {
        create: {
          _index: `${prefix}-events-90d-${day}`,
          _id: `${document.company_id}:${document.id}`,
        },
      },
      document,
    ]);
    const response = await client.bulk({ body });
    if (response.body.errors) throw new Error('raw _bulk reported item errors');
  });
}

async function postBatch(url: string, secret: string, chunk: unknown[]): Promise<void> {
  const response = await fetch(`${url}/v1/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(chunk),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`ingest answered ${response.status}: ${text.slice(0, 300)}`);
}

function startIngest(prefix: string, secret: string): Promise<AppProcess> {
  const keyHash = createHash('sha256').update(secret).digest('hex');
  return startAppProcess('ingest', {
    OPENSEARCH_URL,
    REDIS_URL,
    OPENSEARCH_INDEX_PREFIX: prefix,
    INGEST_API_KEYS: `bench:${keyHash}:*`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
}

/** Producer events [from, to) and the same events as stored, validated and hashed untimed. */
function prepareBlock(from: number, to: number): { inputs: unknown[]; documents: StoredEvent[] } {
  const inputs = Array.from({ length: to - from }, (_, i) => benchEvent(run, from + i, 10));
  const documents = inputs.map((input) => {
    const result = normalizeEvent(input, { keyId: 'bench', now: new Date() });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.event;
  });
  return { inputs, documents };
}

/** Batches of about rate/50 events (1..100): some fifty requests a second. */
function pacedBatch(eventsPerSecond: number): number {
  return Math.max(1, Math.min(100, Math.round(eventsPerSecond / 50)));
}

async function paced(
  url: string,
  secret: string,
  eventsPerSecond: number,
  makeEvent: (i: number) => unknown,
): Promise<number[]> {
  const size = pacedBatch(eventsPerSecond);
  const requestsPerSecond = eventsPerSecond / size;
  const total = Math.round(requestsPerSecond * LATENCY_SECONDS);
  const latencies: number[] = [];
  const started = Date.now();
  const inFlight: Array<Promise<void>> = [];
  let counter = 0;
  for (let request = 0; request < total; request++) {
    const due = started + (request * 1000) / requestsPerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const chunk = Array.from({ length: size }, () => makeEvent(counter++));
    const sent = process.hrtime.bigint();
    inFlight.push(
      postBatch(url, secret, chunk).then(() => {
        latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      }),
    );
  }
  await Promise.all(inFlight);
  return latencies;
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL, requestTimeout: 120_000 });
  const rawPrefix = `bench-raw-${run}`;
  const apiPrefix = `bench-api-${run}`;
  const secret = randomBytes(32).toString('base64url');
  const eventBytes = JSON.stringify(benchEvent(run, 0, 10)).length;
  let ingest: AppProcess | undefined;
  try {
    log(
      `ingest benchmark: ${EVENTS} events of ~${eventBytes} bytes, clients ${CLIENT_LEVELS.join('/')}, batches of ${BATCH}, OpenSearch ${OPENSEARCH_URL}`,
    );
    const app = await startIngest(apiPrefix, secret);
    ingest = app;
    await copyTemplate(client, apiPrefix, rawPrefix);
    // Each client level gets its own slice of the events, prepared in blocks so memory
    // stays bounded at any --events; raw and API alternate block by block, so that load
    // from other work on the machine hits both.
    const perLevel = Math.ceil(EVENTS / CLIENT_LEVELS.length);
    const levels: IngestResult['levels'] = [];
    for (const [position, clients] of CLIENT_LEVELS.entries()) {
      const slice = [position * perLevel, Math.min(EVENTS, (position + 1) * perLevel)] as const;
      let rawSeconds = 0;
      let apiSeconds = 0;
      for (let start = slice[0]; start < slice[1]; start += BLOCK) {
        const block = prepareBlock(start, Math.min(slice[1], start + BLOCK));
        rawSeconds +=
          block.inputs.length / (await rawBulk(client, rawPrefix, block.documents, clients));
        apiSeconds +=
          block.inputs.length /
          (await drive(block.inputs, BATCH, clients, (chunk) => postBatch(app.url, secret, chunk)));
      }
      const raw = (slice[1] - slice[0]) / rawSeconds;
      const api = (slice[1] - slice[0]) / apiSeconds;
      levels.push({
        clients,
        events: slice[1] - slice[0],
        rawEventsPerSecond: round(raw, 0),
        apiEventsPerSecond: round(api, 0),
        ratio: round(api / raw, 2),
      });
      log(
        `${String(clients).padStart(3)} clients: raw _bulk ${raw.toFixed(0)} events/s, ingest API ${api.toFixed(0)} events/s, ratio ${(api / raw).toFixed(2)}`,
      );
    }

    const half = Math.max(...levels.map((level) => level.apiEventsPerSecond)) / 2;
    const latencies = await paced(app.url, secret, half, (i) => benchEvent(`${run}-lat`, i, 10));
    const latency = {
      eventsPerSecond: round(half, 0),
      batch: pacedBatch(half),
      ...summarize(latencies),
    };
    log(
      `ack latency at ${half.toFixed(0)} events/s (half the API's best): p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${latency.count} requests`,
    );
    const result: IngestResult = {
      benchmark: 'ingest',
      events: EVENTS,
      eventBytes,
      batch: BATCH,
      levels,
      latency,
    };
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await ingest?.kill('SIGTERM');
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
