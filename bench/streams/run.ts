/**
 * `npm run bench:streams [-- --rate 5000 --seconds 30 --producers 8 --out f.json]`: sustained
 * ingest at a target rate (100-event batches through the ingest API) while the maintenance
 * worker delivers two streams — a webhook (a receiver in this process that checks each
 * signature) and syslog over TCP to Debian's rsyslogd. Reports, in the same run, the ingest
 * rate reached, each stream's delivered events/s and its delivery lag (arrival at the
 * receiver minus the event's received_at) p50/p95/p99, and how long each stream took to
 * catch up once ingest stopped. Results go to bench/results/<date>-streams.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import jwt from 'jsonwebtoken';
import { verifyWebhookSignature } from '@auditlog/stream-destinations';
import {
  type AppProcess,
  dropPrefix,
  freePort,
  keyLine,
  newSecret,
  parseRfc5424,
  startProcess,
  startRsyslog,
} from '@auditlog/testing';
import { parseCount, resultsDate } from '../report/args';
import { describeMachine } from '../report/machine';
import { markdownTable } from '../report/markdown';
import { round, summarize, type LatencySummary } from '../report/stats';
import { ensureServices } from '../../scripts/services';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '30' },
    producers: { type: 'string', default: '8' },
    out: { type: 'string' },
    'results-dir': { type: 'string', default: 'bench/results' },
  },
});
const RATE = parseCount(args.rate, '--rate');
const SECONDS = parseCount(args.seconds, '--seconds');
const PRODUCERS = parseCount(args.producers, '--producers');
const BATCH = 100;
const CATCH_UP_LIMIT_MS = 120_000;
const SIGNING_SECRET = newSecret();
const log = (line: string) => process.stdout.write(`[streams] ${line}\n`);

interface Arrivals {
  /** Delivery lag of each event's first arrival, ms. */
  lags: number[];
  /** `company_id/id` of every event that arrived. */
  seen: Set<string>;
  duplicates: number;
  /** When the last expected event arrived. */
  lastAt: number;
}

interface Arrived {
  id: string;
  company_id: string;
  received_at: string;
}

function arrive(arrivals: Arrivals, event: Arrived, now: number): void {
  const key = `${event.company_id}/${event.id}`;
  if (arrivals.seen.has(key)) {
    arrivals.duplicates += 1;
    return;
  }
  arrivals.seen.add(key);
  arrivals.lags.push(now - Date.parse(event.received_at));
}

function summarizeArrivals(arrivals: Arrivals, windowMs: number) {
  return {
    delivered: arrivals.seen.size,
    duplicates: arrivals.duplicates,
    eventsPerSecond: round(arrivals.lags.length / (windowMs / 1000)),
    lag: summarize(arrivals.lags),
  };
}

/** A webhook endpoint that verifies every signature and notes each event's arrival. */
async function startWebhook(arrivals: Arrivals): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const signed = verifyWebhookSignature(
        SIGNING_SECRET,
        request.headers['x-auditlog-timestamp'] as string | undefined,
        body,
        request.headers['x-auditlog-signature'] as string | undefined,
      );
      if (!signed) {
        response.writeHead(401).end();
        return;
      }
      const now = Date.now();
      for (const event of JSON.parse(body.toString('utf8')) as Arrived[])
        arrive(arrivals, event, now);
      arrivals.lastAt = now;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

async function main(): Promise<void> {
  const endpoints = await ensureServices({ log });
  const prefix = `bench-streams-${randomBytes(3).toString('hex')}`;
  const ingestSecret = newSecret();
  const jwtSecret = newSecret();
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    OPENSEARCH_URL: endpoints.opensearchUrl,
    OPENSEARCH_INDEX_PREFIX: prefix,
    REDIS_URL: endpoints.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    INGEST_API_KEYS: keyLine({ id: 'bench', secret: ingestSecret, companies: '*' }),
    AUTH_JWT_SECRET: jwtSecret,
    STREAM_SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    STREAM_DESTINATIONS_ALLOW_HTTP: 'true',
    EGRESS_ALLOWED_CIDRS: '127.0.0.0/8',
  };
  const admin = jwt.sign({ sub: 'bench', roles: ['installation_admin'] }, jwtSecret, {
    expiresIn: '1h',
  });
  const processes: AppProcess[] = [];
  const webhookArrivals: Arrivals = { lags: [], seen: new Set(), duplicates: 0, lastAt: 0 };
  const syslogArrivals: Arrivals = { lags: [], seen: new Set(), duplicates: 0, lastAt: 0 };
  const webhook = await startWebhook(webhookArrivals);
  const rsyslog = await startRsyslog();
  const client = new Client({ node: endpoints.opensearchUrl });
  try {
    const ingest = await startProcess('ingest', env, { echo: false });
    const query = await startProcess('query', env, { echo: false });
    const maintenance = await startProcess('maintenance', {
      ...env,
      MAINTENANCE_HEALTH_PORT: String(await freePort()),
    });
    processes.push(ingest, query, maintenance);

    const start = new Date(Date.now() - 1000).toISOString();
    const webhookPort = (webhook.address() as AddressInfo).port;
    for (const destination of [
      {
        type: 'webhook',
        url: `http://127.0.0.1:${webhookPort}/hook`,
        signing_secret: SIGNING_SECRET,
      },
      { type: 'syslog', host: '127.0.0.1', port: rsyslog.port, format: 'rfc5424' },
    ]) {
      const created = await fetch(`${query.url}/v1/admin/streams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench-${destination.type}`, destination, start_at: start }),
      });
      if (created.status !== 201)
        throw new Error(`stream: ${created.status} ${await created.text()}`);
    }

    // Syslog arrivals: rsyslogd's file, read four times a second.
    let syslogSeen = 0;
    const syslogPoll = setInterval(() => {
      const lines = rsyslog.lines();
      const now = Date.now();
      for (const line of lines.slice(syslogSeen)) {
        arrive(syslogArrivals, JSON.parse(parseRfc5424(line).msg) as Arrived, now);
        syslogArrivals.lastAt = now;
      }
      syslogSeen = lines.length;
    }, 250);

    log(`ingest at ${RATE} events/s for ${SECONDS} s with ${PRODUCERS} producers`);
    const body = (producer: number, round: number) =>
      JSON.stringify(
        Array.from({ length: BATCH }, (_, index) => ({
          company_id: `c${(round + index) % 20}`,
          action: 'bench.streamed',
          actor: { id: `producer-${producer}` },
          target: { type: 'service', id: `svc-${index}` },
          description: 'x'.repeat(600),
        })),
      );
    const started = Date.now();
    const interval = (PRODUCERS * BATCH * 1000) / RATE;
    let acknowledged = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: PRODUCERS }, async (_, producer) => {
        for (let round = 0; ; round += 1) {
          const due = started + round * interval;
          if (due - started >= SECONDS * 1000) return;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((done) => setTimeout(done, wait));
          const answer = await fetch(`${ingest.url}/v1/events/batch`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${ingestSecret}`,
              'content-type': 'application/json',
            },
            body: body(producer, round),
          });
          await answer.arrayBuffer();
          if (answer.status === 200) acknowledged += BATCH;
          else refused += BATCH;
        }
      }),
    );
    const ingestMs = Date.now() - started;
    log(`ingested ${acknowledged} events in ${ingestMs} ms (${refused} refused)`);

    const deadline = Date.now() + CATCH_UP_LIMIT_MS;
    while (
      Date.now() < deadline &&
      (webhookArrivals.seen.size < acknowledged || syslogArrivals.seen.size < acknowledged)
    ) {
      await new Promise((done) => setTimeout(done, 250));
    }
    clearInterval(syslogPoll);
    const ingestEnd = started + ingestMs;
    const result = {
      benchmark: 'streams',
      date: new Date().toISOString(),
      machine: await describeMachine(endpoints.opensearchUrl),
      targetRate: RATE,
      seconds: SECONDS,
      ingest: {
        acknowledged,
        refused,
        eventsPerSecond: round(acknowledged / (ingestMs / 1000)),
      },
      streams: {
        webhook: {
          ...summarizeArrivals(webhookArrivals, Math.max(webhookArrivals.lastAt - started, 1)),
          catchUpMs: Math.max(webhookArrivals.lastAt - ingestEnd, 0),
          complete: webhookArrivals.seen.size >= acknowledged,
        },
        syslog: {
          ...summarizeArrivals(syslogArrivals, Math.max(syslogArrivals.lastAt - started, 1)),
          catchUpMs: Math.max(syslogArrivals.lastAt - ingestEnd, 0),
          complete: syslogArrivals.seen.size >= acknowledged,
        },
      },
    };
    write(result);
  } finally {
    for (const started of processes) await started.kill('SIGTERM');
    webhook.close();
    await rsyslog.stop();
    await dropPrefix(client, prefix).catch(() => undefined);
    await client.close();
  }
}

function lagRow(
  name: string,
  figures: {
    delivered: number;
    duplicates: number;
    eventsPerSecond: number;
    lag: LatencySummary;
    catchUpMs: number;
    complete: boolean;
  },
) {
  return [
    name,
    figures.delivered,
    figures.eventsPerSecond,
    figures.lag.p50Ms / 1000,
    figures.lag.p95Ms / 1000,
    figures.lag.p99Ms / 1000,
    figures.catchUpMs / 1000,
    figures.complete ? 'yes' : 'NO',
  ];
}

function write(result: {
  date: string;
  machine: { loadAverage: number[]; cpus: number };
  targetRate: number;
  seconds: number;
  ingest: { acknowledged: number; refused: number; eventsPerSecond: number };
  streams: Record<string, Parameters<typeof lagRow>[1]>;
}): void {
  const dir = resolve(args['results-dir']);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${resultsDate(new Date(result.date))}-streams`);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(args.out ?? `${base}.json`, json);
  const markdown = [
    `# Stream delivery benchmark (${result.date})`,
    '',
    `Target ingest ${result.targetRate} events/s for ${result.seconds} s; reached ${result.ingest.eventsPerSecond} events/s (${result.ingest.acknowledged} acknowledged, ${result.ingest.refused} refused). Machine: ${result.machine.cpus} cores, load average ${result.machine.loadAverage.join(' / ')}.`,
    '',
    markdownTable(
      [
        'stream',
        'delivered',
        'events/s',
        'lag p50 s',
        'lag p95 s',
        'lag p99 s',
        'catch-up s',
        'complete',
      ],
      Object.entries(result.streams).map(([name, figures]) => lagRow(name, figures)),
    ),
    '',
    'Lag: arrival at the receiver minus the event’s `received_at`. Catch-up: last arrival after ingest stopped.',
    '',
  ].join('\n');
  if (!args.out) writeFileSync(`${base}.md`, markdown);
  process.stdout.write(`${markdown}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
