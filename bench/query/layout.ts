/**
 * `npx tsx bench/query/layout.ts --prefixes A,B [--iterations 60] [--out f.json]`: the five
 * direct OpenSearch queries of the query benchmark against two kept data sets that differ
 * only in their index layout (e.g. `bench-query-…` loaded before and after a template
 * change, both with `npm run bench:query -- --keep`), alternating request by request so
 * both see the same load. Reports client-side latency and OpenSearch's own `took`.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { parseCount } from '../report/args';
import { markdownTable } from '../report/markdown';
import { type LatencySummary, summarize } from '../report/stats';
import { cases, directRequest, directSearch } from './cases';

const { values: args } = parseArgs({
  options: {
    prefixes: { type: 'string' },
    iterations: { type: 'string', default: '60' },
    out: { type: 'string' },
  },
});
const PREFIXES = (args.prefixes ?? '').split(',').filter(Boolean);
if (PREFIXES.length < 1) throw new Error('--prefixes A,B names the kept data sets to compare');
const ITERATIONS = parseCount(args.iterations, '--iterations');
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Side {
  prefix: string;
  indexSort: unknown;
  events: number;
  indices: number;
  segments: number;
  latency: LatencySummary;
  took: LatencySummary;
  work: Work;
}

/** What one request made Lucene do (profile API): independent of the machine's load. */
interface Work {
  /** Documents the queries' iterators stepped to (next_doc + advance), over all shards. */
  docsVisited: number;
  shardsQueried: number;
  collectors: string[];
}

interface ProfiledShard {
  searches: Array<{
    query: Array<{ breakdown: { next_doc_count: number; advance_count: number } }>;
    collector: Array<{ name: string }>;
  }>;
}

async function work(
  client: Client,
  prefix: string,
  params: Parameters<typeof directRequest>[1],
  after?: Array<string | number>,
): Promise<Work> {
  const { body } = await client.search(directRequest(prefix, params, after, { profile: true }));
  const shards = (body.profile?.shards ?? []) as unknown as ProfiledShard[];
  const searches = shards.flatMap((shard) => shard.searches);
  return {
    docsVisited: searches
      .flatMap((search) => search.query)
      .reduce(
        (sum, query) => sum + query.breakdown.next_doc_count + query.breakdown.advance_count,
        0,
      ),
    shardsQueried: shards.length,
    collectors: [
      ...new Set(searches.flatMap((search) => search.collector.map((collector) => collector.name))),
    ],
  };
}

async function describeLayout(client: Client, prefix: string) {
  const pattern = `${prefix}-events-*`;
  const { body: count } = await client.count({ index: pattern });
  const { body: settings } = await client.indices.getSettings({
    index: pattern,
    name: 'index.sort.*',
  });
  const first = Object.values(settings)[0] as { settings?: { index?: { sort?: unknown } } };
  const { body: segments } = await client.cat.segments({ index: pattern, format: 'json' });
  return {
    events: count.count,
    indexSort: first?.settings?.index?.sort ?? null,
    indices: new Set((segments as unknown as Array<{ index: string }>).map((row) => row.index))
      .size,
    segments: (segments as unknown as unknown[]).length,
  };
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL });
  const datasets = await Promise.all(
    PREFIXES.map(async (prefix) => ({ prefix, ...(await describeLayout(client, prefix)) })),
  );
  for (const set of datasets)
    log(
      `${set.prefix}: ${set.events} events in ${set.indices} indices (${set.segments} segments), index sort ${JSON.stringify(set.indexSort)}`,
    );
  const results: Array<{ name: string; sides: Side[] }> = [];
  for (const benchCase of cases(Date.now())) {
    // Reach the measured page once per data set; its sort values are reused.
    const sides = await Promise.all(
      datasets.map(async (set) => {
        let after: Array<string | number> | undefined;
        for (let page = 0; page < (benchCase.depth ?? 0); page++)
          after = (await directSearch(client, set.prefix, benchCase.params, after)).hits[99]?.sort;
        return { set, after, latency: [] as number[], took: [] as number[] };
      }),
    );
    for (let round = -3; round < ITERATIONS; round++) {
      // Alternate which data set goes first, so neither always follows the other.
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const started = performance.now();
        const page = await directSearch(client, side.set.prefix, benchCase.params, side.after);
        const ms = performance.now() - started;
        if (round < 0) continue;
        side.latency.push(ms);
        side.took.push(page.tookMs);
      }
    }
    results.push({
      name: benchCase.name,
      sides: await Promise.all(
        sides.map(async (side) => ({
          ...side.set,
          latency: summarize(side.latency),
          took: summarize(side.took),
          work: await work(client, side.set.prefix, benchCase.params, side.after),
        })),
      ),
    });
  }
  log('');
  log(
    markdownTable(
      [
        'query',
        'data set',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'took p50 ms',
        'took p95 ms',
        'shards',
        'docs visited',
        'collectors',
      ],
      results.flatMap((result) =>
        result.sides.map((side) => [
          result.name,
          side.prefix,
          side.latency.p50Ms,
          side.latency.p95Ms,
          side.latency.p99Ms,
          side.took.p50Ms,
          side.took.p95Ms,
          side.work.shardsQueried,
          side.work.docsVisited,
          side.work.collectors.join(' '),
        ]),
      ),
    ),
  );
  if (args.out) {
    const result = { benchmark: 'query-layout', iterations: ITERATIONS, cases: results };
    writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  }
  await client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
