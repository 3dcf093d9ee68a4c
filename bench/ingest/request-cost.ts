/**
 * The ingest process's CPU per HTTP request by what the request reaches: a 404 (express,
 * Nest's router, the problem filter, the request log), a 401 (adds the key guard), a
 * stored single event (adds body, validation, routing, the group commit and `_bulk`) and a
 * stored batch (also printed per event: the steadiest figure of the batch path on a busy
 * machine). The differences attribute the cost; the app logs at `info` as in production.
 *
 *   npx tsx bench/ingest/request-cost.ts [--requests 1e4] [--connections 64] [--batch 100]
 *     [--only batch|single|404|401] [--profile-dir /tmp/prof] [--node-args=--max-semi-space-size=32]
 *     [--floor]
 *
 * `--floor` also sends the single events and batches to floor-server.ts, a bare `node:http`
 * server (batches parsed, serialised, hashed and sent as one `_bulk`): the CPU per request
 * under any Node.js HTTP API.
 *
 * Runs the built app from dist/ (build first).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from '@opensearch-project/opensearch';
import { dropPrefix } from '@auditlog/testing';
import { parseCount } from '../report/args';
import { benchEvent } from './bench-events';
import { nodeArgsOf, startBenchIngest } from './bench-ingest';
import { startFloorProcess } from '../floor-process';
import { processTreeCpuMicros } from './cpu';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '64' },
    batch: { type: 'string', default: '100' },
    only: { type: 'string' },
    'profile-dir': { type: 'string' },
    'node-args': { type: 'string' },
    floor: { type: 'boolean', default: false },
  },
});
const BATCH = parseCount(values.batch, '--batch');
const REQUESTS = parseCount(values.requests, '--requests');
const CONNECTIONS = parseCount(values.connections, '--connections');
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const run = randomBytes(3).toString('hex');

interface Case {
  key: string;
  name: string;
  /** Events a request of this case stores. */
  events?: number;
  status: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: (n: number) => string;
}

/** Requests sent so far, over every run: event ids stay unique across runs. */
let sent = 0;

async function measure(url: string, pid: number, entry: Case): Promise<number> {
  const amount = entry.events === undefined ? REQUESTS : Math.ceil(REQUESTS / entry.events);
  const before = processTreeCpuMicros(pid);
  const result = await autocannon({
    url,
    // autocannon refuses more connections than requests (a small batch run).
    connections: Math.min(CONNECTIONS, amount),
    amount,
    timeout: 60,
    headers: entry.headers,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          method: entry.method,
          path: entry.path,
          ...(entry.body ? { body: entry.body(sent++) } : {}),
        }),
      },
    ],
  });
  const total = result.requests.total;
  if (total !== amount) throw new Error(`${entry.name}: ${total} of ${amount} requests sent`);
  const micros = (processTreeCpuMicros(pid) - before) / total;
  const answered = result.statusCodeStats?.[`${entry.status}` as const]?.count ?? 0;
  if (answered !== result.requests.total) {
    throw new Error(
      `${entry.name}: ${answered} of ${result.requests.total} answered ${entry.status}`,
    );
  }
  return micros;
}

async function main(): Promise<void> {
  const prefix = `bench-cost-${run}`;
  const secret = randomBytes(32).toString('base64url');
  const client = new Client({ node: OPENSEARCH_URL });
  const app = await startBenchIngest({
    prefix,
    secret,
    logName: `request-cost-${run}`,
    nodeArgs: [
      ...(values['profile-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['profile-dir']}`] : []),
      ...nodeArgsOf(values['node-args']),
    ],
  });
  const json = { 'content-type': 'application/json' };
  const auth = { ...json, authorization: `Bearer ${secret}` };
  const all: Case[] = [
    {
      key: '404',
      name: '404 (unknown path)',
      status: 404,
      method: 'GET',
      path: '/v1/nope',
      headers: {},
    },
    {
      key: '401',
      name: '401 (no key)',
      status: 401,
      method: 'POST',
      path: '/v1/events',
      headers: json,
      body: () => '{}',
    },
    {
      key: 'single',
      name: '201 (one event stored)',
      status: 201,
      method: 'POST',
      path: '/v1/events',
      headers: auth,
      body: (n) => JSON.stringify(benchEvent(`${run}-single`, n, 10)),
    },
    {
      key: 'batch',
      name: `200 (${BATCH} events stored)`,
      events: BATCH,
      status: 200,
      method: 'POST',
      path: '/v1/events/batch',
      headers: auth,
      body: (n) =>
        JSON.stringify(
          Array.from({ length: BATCH }, (_, i) => benchEvent(`${run}-batch`, n * BATCH + i, 10)),
        ),
    },
  ];
  const cases = all.filter((entry) => values.only === undefined || entry.key === values.only);
  if (cases.length === 0) throw new Error(`--only: no case "${values.only}"`);
  try {
    // Warm up: JIT, connections, index creation.
    for (const entry of cases) await measure(app.url, app.child.pid as number, entry);
    process.stdout.write(
      `ingest CPU per request at ${CONNECTIONS} connections, ${REQUESTS} requests per case ` +
        `(the batch case: ${REQUESTS} events in batches of ${BATCH}; load average ${loadavg()[0]?.toFixed(1)}):\n`,
    );
    for (const entry of cases) {
      const micros = await measure(app.url, app.child.pid as number, entry);
      process.stdout.write(
        `  ${entry.name.padEnd(24)} ${micros.toFixed(0)} µs${perEvent(entry, micros)}\n`,
      );
    }
    if (values.floor) {
      await measureFloor(
        cases.filter((entry) => entry.key === 'single' || entry.key === 'batch'),
        prefix,
      );
    }
  } finally {
    await app.kill('SIGTERM');
    await dropPrefix(client, prefix);
    await client.close();
  }
}

/** The single events and batches again against floor-server.ts, started as its own process. */
async function measureFloor(cases: readonly Case[], prefix: string): Promise<void> {
  const port = 3914;
  const floor = await startFloorProcess(
    resolve(__dirname, 'floor-server.ts'),
    { PORT: String(port), OPENSEARCH_URL, INDEX: `${prefix}-floor` },
    values['profile-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['profile-dir']}`] : [],
  );
  try {
    const url = `http://127.0.0.1:${port}`;
    for (const entry of cases) {
      const bare = { ...entry, name: `${entry.name.split(' (')[0]} (bare node:http)` };
      await measure(url, floor.pid, bare);
      const micros = await measure(url, floor.pid, bare);
      process.stdout.write(
        `  ${bare.name.padEnd(24)} ${micros.toFixed(0)} µs${perEvent(bare, micros)}\n`,
      );
    }
  } finally {
    await floor.stop();
  }
}

function perEvent(entry: Case, micros: number): string {
  return entry.events === undefined ? '' : `, ${(micros / entry.events).toFixed(1)} µs per event`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `request-cost failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
