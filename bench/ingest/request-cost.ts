/**
 * The ingest process's CPU per HTTP request by what the request reaches: a 404 (express,
 * Nest's router, the problem filter, the request log), a 401 (adds the key guard), and a
 * stored single event (adds body, validation, routing, the group commit and `_bulk`).
 * The differences attribute the single-event cost; the app logs at `info` as in production.
 *
 *   npx tsx bench/ingest/request-cost.ts [--requests 1e4] [--connections 64]
 *
 * Runs the built app from dist/ (build first).
 */
import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from '@opensearch-project/opensearch';
import { dropPrefix, startProcess } from '@auditlog/testing';
import { parseCount } from '../report/args';
import { benchEvent } from './bench-events';
import { processTreeCpuMicros } from './cpu';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '64' },
  },
});
const REQUESTS = parseCount(values.requests, '--requests');
const CONNECTIONS = parseCount(values.connections, '--connections');
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const run = randomBytes(3).toString('hex');

interface Case {
  name: string;
  status: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: (n: number) => string;
}

/** Requests sent so far, over every run: event ids stay unique across runs. */
let sent = 0;

async function measure(url: string, pid: number, entry: Case): Promise<number> {
  const before = processTreeCpuMicros(pid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    amount: REQUESTS,
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
  const micros = (processTreeCpuMicros(pid) - before) / result.requests.total;
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
  const app = await startProcess(
    'ingest',
    {
      OPENSEARCH_URL,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      OPENSEARCH_INDEX_PREFIX: prefix,
      INGEST_API_KEYS: `bench:${createHash('sha256').update(secret).digest('hex')}:*`,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    },
    { logFile: join(tmpdir(), `bench-request-cost-${run}.log`) },
  );
  const json = { 'content-type': 'application/json' };
  const cases: Case[] = [
    { name: '404 (unknown path)', status: 404, method: 'GET', path: '/v1/nope', headers: {} },
    {
      name: '401 (no key)',
      status: 401,
      method: 'POST',
      path: '/v1/events',
      headers: json,
      body: () => '{}',
    },
    {
      name: '201 (one event stored)',
      status: 201,
      method: 'POST',
      path: '/v1/events',
      headers: { ...json, authorization: `Bearer ${secret}` },
      body: (n) => JSON.stringify(benchEvent(`${run}-single`, n, 10)),
    },
  ];
  try {
    // Warm up: JIT, connections, index creation.
    for (const entry of cases) await measure(app.url, app.child.pid as number, entry);
    process.stdout.write(
      `ingest CPU per request, ${REQUESTS} requests at ${CONNECTIONS} connections (load average ${loadavg()[0]?.toFixed(1)}):\n`,
    );
    for (const entry of cases) {
      const micros = await measure(app.url, app.child.pid as number, entry);
      process.stdout.write(`  ${entry.name.padEnd(24)} ${micros.toFixed(0)} µs\n`);
    }
  } finally {
    await app.kill('SIGTERM');
    await dropPrefix(client, prefix);
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `request-cost failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
