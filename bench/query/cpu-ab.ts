/**
 * The query process's CPU per request for builds of the query app on one loaded data set,
 * in alternating rounds (steadier than runs of `run.ts` one after the other on a shared
 * machine): the apps run side by side, and every round sends each of the five owner
 * queries of `bench/query/cases.ts` to each app in turn, `--requests N` times one after
 * another, reading that app's user + system CPU around its block.
 *
 *   npx tsx bench/query/cpu-ab.ts --prefix P --apps /tmp/before,. [--rounds 6 --requests 200]
 *
 * The data set must exist (`run.ts --keep --prefix P`). Prints the mean CPU µs per request
 * per query and app, each app against the first, and the mean over all rounds.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import type { QueryParams } from '@auditlog/events';
import { type AppProcess, startProcess } from '@auditlog/testing';
import { processTreeCpuMicros } from '../ingest/cpu';
import { parseCount } from '../report/args';
import { markdownTable } from '../report/markdown';
import { cases } from './cases';

const { values: args } = parseArgs({
  options: {
    prefix: { type: 'string' },
    apps: { type: 'string', default: '.' },
    rounds: { type: 'string', default: '6' },
    requests: { type: 'string', default: '200' },
    port: { type: 'string', default: '3942' },
  },
});
if (!args.prefix) throw new Error('--prefix of a loaded data set is required');
const PREFIX = args.prefix;
const ROUNDS = parseCount(args.rounds, '--rounds');
const REQUESTS = parseCount(args.requests, '--requests');
const SECRET = randomBytes(32).toString('base64url');
const log = (line: string) => process.stdout.write(`${line}\n`);

function start(dir: string, port: number): Promise<AppProcess> {
  return startProcess(
    'query',
    {
      OPENSEARCH_URL: process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      OPENSEARCH_INDEX_PREFIX: PREFIX,
      REDIS_KEY_PREFIX: PREFIX,
      AUTH_JWT_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    { port, waitFor: '/health/ready', cwd: resolve(dir), echo: false },
  );
}

async function main(): Promise<void> {
  const dirs = args.apps.split(',');
  const apps: AppProcess[] = [];
  for (const [index, dir] of dirs.entries()) apps.push(await start(dir, Number(args.port) + index));
  const token = jwt.sign({ sub: 'bench', company_id: 'acme', roles: ['company_owner'] }, SECRET, {
    algorithm: 'HS256',
    expiresIn: '2h',
  });
  const get = async (app: AppProcess, params: QueryParams, cursor?: string) => {
    const url = new URL(`${app.url}/v1/events`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${url.search} answered ${response.status}`);
    return (await response.json()) as { next_cursor: string | null };
  };
  try {
    const queries = cases(Date.now());
    // Each app's own cursor of the deep page (cursors are signed per process key).
    const cursors = await Promise.all(
      apps.map(async (app) =>
        Promise.all(
          queries.map(async (query) => {
            let cursor: string | undefined;
            for (let page = 0; page < (query.depth ?? 0); page++) {
              cursor = (await get(app, query.params, cursor)).next_cursor ?? undefined;
            }
            return cursor;
          }),
        ),
      ),
    );
    const micros = apps.map(() => queries.map(() => [] as number[]));
    for (let round = -1; round < ROUNDS; round++) {
      for (const [q, query] of queries.entries()) {
        for (const [a, app] of apps.entries()) {
          const cursor = cursors[a]?.[q];
          const before = processTreeCpuMicros(app.child.pid ?? 0);
          for (let request = 0; request < REQUESTS; request++) {
            await get(app, query.params, cursor);
          }
          const perRequest = (processTreeCpuMicros(app.child.pid ?? 0) - before) / REQUESTS;
          if (round >= 0) micros[a]?.[q]?.push(perRequest); // round -1 warms up
        }
      }
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const versus = (value: number, first: number) =>
      `${Math.round(value)} (${value >= first ? '+' : ''}${(((value - first) / first) * 100).toFixed(1)} %)`;
    const row = (name: string, values: number[]) => [
      name,
      Math.round(values[0] ?? 0),
      ...values.slice(1).map((value) => versus(value, values[0] ?? 0)),
    ];
    const rows = queries.map((query, q) =>
      row(
        query.name,
        micros.map((perQuery) => mean(perQuery[q] ?? [])),
      ),
    );
    rows.push(
      row(
        'all',
        micros.map((perQuery) => mean(perQuery.flat())),
      ),
    );
    log(`${ROUNDS} rounds of ${REQUESTS} requests per query; CPU µs per request of each app`);
    log(markdownTable(['query', ...dirs], rows));
  } finally {
    await Promise.all(apps.map((app) => app.kill('SIGTERM')));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
