/**
 * Ingest benchmark: sustained events/s through the ingest API next to raw `_bulk` of the
 * same documents into the same OpenSearch, plus ack latency at half the API's max rate.
 *
 *   npm run bench:ingest -- [--events 100000] [--clients 8] [--batch 500]
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { normalizeEvent, type StoredEvent } from '@auditlog/events';
import { benchEvent, percentile } from './bench-events';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '8' },
    batch: { type: 'string', default: '500' },
    'latency-seconds': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
  },
});
const EVENTS = Number(values.events);
const CLIENTS = Number(values.clients);
const BATCH = Number(values.batch);
const LATENCY_SECONDS = Number(values['latency-seconds']);
const ROUNDS = Number(values.rounds);
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomBytes(3).toString('hex');
const log = (line: string): void => void process.stdout.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

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

async function cleanup(client: Client, prefix: string): Promise<void> {
  await client.indices
    .delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' })
    .catch(() => undefined);
  await client.indices.deleteIndexTemplate({ name: `${prefix}-events` }).catch(() => undefined);
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

async function rawBulk(client: Client, prefix: string, documents: StoredEvent[]): Promise<number> {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
  return drive(documents, BATCH, CLIENTS, async (chunk) => {
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

async function startIngest(
  prefix: string,
  secret: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const keyHash = createHash('sha256').update(secret).digest('hex');
  const child = spawn(process.execPath, [join('dist', 'apps', 'ingest', 'src', 'main.js')], {
    env: {
      ...process.env,
      OPENSEARCH_URL,
      REDIS_URL,
      OPENSEARCH_INDEX_PREFIX: prefix,
      INGEST_API_KEYS: `bench:${keyHash}:*`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ingest exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('ingest did not start within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function paced(
  url: string,
  secret: string,
  eventsPerSecond: number,
  makeEvent: (i: number) => unknown,
): Promise<number[]> {
  const size = Math.max(1, Math.min(100, Math.round(eventsPerSecond / 50)));
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
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL, requestTimeout: 120_000 });
  const rawPrefix = `bench-raw-${run}`;
  const apiPrefix = `bench-api-${run}`;
  const secret = randomBytes(32).toString('base64url');
  let ingest: ChildProcess | undefined;
  try {
    log(
      `ingest benchmark: ${EVENTS} events of ~${JSON.stringify(benchEvent(run, 0, 10)).length} bytes, ${CLIENTS} clients, batches of ${BATCH}, OpenSearch ${OPENSEARCH_URL}`,
    );
    const inputs = Array.from({ length: EVENTS }, (_, i) => benchEvent(run, i, 10));
    const documents = inputs.map((input) => {
      const result = normalizeEvent(input, { keyId: 'bench', now: new Date() });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      return result.event;
    });

    const started = await startIngest(apiPrefix, secret);
    ingest = started.child;
    await copyTemplate(client, apiPrefix, rawPrefix);
    // Alternate the two in rounds, so that load from other work on the machine hits both.
    const perRound = Math.ceil(EVENTS / ROUNDS);
    let rawSeconds = 0;
    let apiSeconds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const slice = [round * perRound, Math.min(EVENTS, (round + 1) * perRound)] as const;
      const raw = await rawBulk(client, rawPrefix, documents.slice(...slice));
      const api = await drive(inputs.slice(...slice), BATCH, CLIENTS, (chunk) =>
        postBatch(started.url, secret, chunk),
      );
      rawSeconds += (slice[1] - slice[0]) / raw;
      apiSeconds += (slice[1] - slice[0]) / api;
      log(
        `round ${round + 1}: raw _bulk ${raw.toFixed(0)} events/s, ingest API ${api.toFixed(0)} events/s`,
      );
    }
    const rawRate = EVENTS / rawSeconds;
    const apiRate = EVENTS / apiSeconds;
    log(`raw _bulk:     ${rawRate.toFixed(0)} events/s`);
    log(`ingest API:    ${apiRate.toFixed(0)} events/s`);
    log(`ratio:         ${(apiRate / rawRate).toFixed(2)} (ingest API / raw _bulk)`);

    const half = apiRate / 2;
    const latencies = await paced(started.url, secret, half, (i) =>
      benchEvent(`${run}-lat`, i, 10),
    );
    log(
      `ack latency at ${half.toFixed(0)} events/s (half the API's max): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms over ${latencies.length} requests`,
    );
  } finally {
    if (ingest && ingest.exitCode === null) {
      const exited = new Promise((resolve) => ingest?.once('exit', resolve));
      ingest.kill('SIGTERM');
      await exited;
    }
    await cleanup(client, rawPrefix);
    await cleanup(client, apiPrefix);
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ingest benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
