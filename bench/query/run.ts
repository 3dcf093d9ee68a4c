/**
 * `npm run bench:query [-- --events N --iterations N --keep --prefix P --index-sort --out f.json]`:
 * p50/p95/p99 latency of typical owner queries through the query API next to the same OpenSearch query sent
 * directly, in the same run, on the same node. Default 200,000 events (the 1M target:
 * `--events 1000000`). Per query also the query process's CPU per request over
 * `--cpu-requests N` back-to-back API requests (steadier than latency on a shared machine);
 * `--profile-dir D` writes the query process's V8 CPU profile there
 * (bench/ingest/profile-summary.ts summarises it); `--app-dir D` runs the query app built in
 * another checkout (a before/after comparison on one data set); `--floor` also times a bare
 * `node:http` server sending the direct query (floor-server.ts): the cost of any API's hop.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import jwt from 'jsonwebtoken';
import type { QueryParams } from '@auditlog/events';
import { type AppProcess, dropPrefix, startProcess } from '@auditlog/testing';
import { processTreeCpuMicros } from '../ingest/cpu';
import { parseCount } from '../report/args';
import { markdownTable } from '../report/markdown';
import type { QueryResult } from '../report/results';
import { summarize } from '../report/stats';
import { cases, directSearch, sortNewIndices } from './cases';
import { ensureDataset } from './dataset';
import { type Floor, startFloor } from './floor';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    iterations: { type: 'string', default: '40' },
    days: { type: 'string', default: '30' },
    prefix: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'index-sort': { type: 'boolean', default: false },
    port: { type: 'string', default: '3912' },
    'cpu-requests': { type: 'string', default: '200' },
    'profile-dir': { type: 'string' },
    'app-dir': { type: 'string' },
    floor: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const EVENTS = parseCount(args.events);
const ITERATIONS = parseCount(args.iterations, '--iterations');
const CPU_REQUESTS = parseCount(args['cpu-requests'], '--cpu-requests');
const DAYS = parseCount(args.days, '--days');
const PORT = Number(args.port);
const PREFIX = args.prefix ?? `bench-query-${randomBytes(3).toString('hex')}`;
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32).toString('base64url');
const log = (line: string) => process.stdout.write(`${line}\n`);

function startQueryApp(): Promise<AppProcess> {
  return startProcess(
    'query',
    {
      OPENSEARCH_URL,
      REDIS_URL,
      OPENSEARCH_INDEX_PREFIX: PREFIX,
      REDIS_KEY_PREFIX: PREFIX,
      AUTH_JWT_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    {
      port: PORT,
      waitFor: '/health/ready',
      ...(args['app-dir'] ? { cwd: args['app-dir'] } : {}),
      ...(args['profile-dir']
        ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${args['profile-dir']}`] }
        : {}),
    },
  );
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL });
  log(
    `query benchmark: ${EVENTS} events over ${DAYS} days, prefix ${PREFIX}, ${ITERATIONS} iterations per query`,
  );
  const app = await startQueryApp();
  const floor: Floor | undefined = args.floor
    ? await startFloor(PREFIX, PORT + 1, OPENSEARCH_URL)
    : undefined;
  try {
    // A layout experiment (ADR 0034): the data set's indices sorted newest first.
    if (args['index-sort']) await sortNewIndices(client, PREFIX);
    const now = await ensureDataset(client, PREFIX, EVENTS, DAYS, log);
    const token = jwt.sign({ sub: 'bench', company_id: 'acme', roles: ['company_owner'] }, SECRET, {
      algorithm: 'HS256',
      expiresIn: '2h',
    });

    const viaApi = async (params: QueryParams, cursor?: string) => {
      const url = new URL(`http://127.0.0.1:${PORT}/v1/events`);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
      if (cursor) url.searchParams.set('cursor', cursor);
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok)
        throw new Error(`${url.search} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as {
        data: Array<string | number>;
        next_cursor: string | null;
      };
    };
    const direct = async (params: QueryParams, after?: Array<string | number>) =>
      directSearch(client, PREFIX, params, after);
    const load1 = () => Math.round((loadavg()[0] ?? 0) * 10) / 10;

    const results: QueryResult['cases'] = [];
    for (const benchCase of cases(now)) {
      // Reach the measured page once; its cursor (API) and sort values (direct) are reused.
      let cursor: string | undefined;
      let after: Array<string | number> | undefined;
      for (let page = 0; page < (benchCase.depth ?? 0); page++) {
        cursor = (await viaApi(benchCase.params, cursor)).next_cursor ?? undefined;
        after = (await direct(benchCase.params, after)).hits[99]?.sort;
      }
      const loadBefore = load1();
      const api: number[] = [];
      const raw: number[] = [];
      const took: number[] = [];
      const bare: number[] = [];
      let matched = 0;
      for (let round = -3; round < ITERATIONS; round++) {
        let started = performance.now();
        const page = await viaApi(benchCase.params, cursor);
        const apiMs = performance.now() - started;
        started = performance.now();
        const { tookMs } = await direct(benchCase.params, after);
        const rawMs = performance.now() - started;
        started = performance.now();
        if (floor) await floor.get(benchCase.params, after);
        const floorMs = performance.now() - started;
        if (round < 0) continue; // warm-up
        if (floor) bare.push(floorMs);
        api.push(apiMs);
        raw.push(rawMs);
        took.push(tookMs);
        matched = page.data.length;
      }
      // CPU per request: the query process alone, over requests sent one after another.
      const cpuBefore = processTreeCpuMicros(app.child.pid ?? 0);
      for (let request = 0; request < CPU_REQUESTS; request++) {
        await viaApi(benchCase.params, cursor);
      }
      const cpuMicros = processTreeCpuMicros(app.child.pid ?? 0) - cpuBefore;
      const floorCpu = floor ? await floorCpuMicros(floor, benchCase.params, after) : undefined;
      results.push({
        name: benchCase.name,
        rows: matched,
        api: summarize(api),
        direct: summarize(raw),
        directTookMs: summarize(took),
        cpuMicrosPerRequest: Math.round(cpuMicros / CPU_REQUESTS),
        loadAverage: [loadBefore, load1()],
        ...(floor && floorCpu !== undefined
          ? { floor: { ...summarize(bare), cpuMicrosPerRequest: floorCpu } }
          : {}),
      });
    }
    log('');
    log(
      markdownTable(
        [
          'query',
          'rows',
          'api p50 ms',
          'api p95 ms',
          'api p99 ms',
          'direct p50 ms',
          'direct p95 ms',
          'direct p99 ms',
          'ratio p50',
          'ratio p95',
          'took p50 ms',
          'API CPU µs/request',
          'load',
        ],
        results.map((r) => [
          r.name,
          r.rows,
          r.api.p50Ms,
          r.api.p95Ms,
          r.api.p99Ms,
          r.direct.p50Ms,
          r.direct.p95Ms,
          r.direct.p99Ms,
          r.api.p50Ms / r.direct.p50Ms,
          r.api.p95Ms / r.direct.p95Ms,
          r.directTookMs?.p50Ms ?? '',
          r.cpuMicrosPerRequest ?? '',
          r.loadAverage?.join('–') ?? '',
        ]),
      ),
    );
    const result: QueryResult = {
      benchmark: 'query',
      events: EVENTS,
      iterations: ITERATIONS,
      cases: results,
    };
    if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
    if (floor) {
      log('');
      log(
        markdownTable(
          ['query', 'floor p50 ms', 'floor p95 ms', 'floor CPU µs/request', 'direct p50 ms'],
          results.map((r) => [
            r.name,
            r.floor?.p50Ms ?? '',
            r.floor?.p95Ms ?? '',
            r.floor?.cpuMicrosPerRequest ?? '',
            r.direct.p50Ms,
          ]),
        ),
      );
    }
  } finally {
    await floor?.stop();
    await app.kill('SIGTERM');
    if (!args.keep) {
      await dropPrefix(client, PREFIX);
    } else log(`kept the data set: rerun with --prefix ${PREFIX}`);
    await client.close();
  }
}

/** The floor server's CPU per request over CPU_REQUESTS requests one after another. */
async function floorCpuMicros(
  floor: Floor,
  params: QueryParams,
  after: Array<string | number> | undefined,
): Promise<number> {
  const before = processTreeCpuMicros(floor.pid);
  for (let request = 0; request < CPU_REQUESTS; request++) await floor.get(params, after);
  return Math.round((processTreeCpuMicros(floor.pid) - before) / CPU_REQUESTS);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
