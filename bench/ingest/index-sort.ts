/**
 * `npx tsx bench/ingest/index-sort.ts [--events 2e5] [--rounds 8] [--connections 8]`: what
 * index sorting would cost at write time (docs/adr/0034). Two fresh indices with the
 * events mapping and durability, one sorted newest first (`timestamp`, `id` descending)
 * and one not, take the same raw `_bulk` load (100 documents per request, `--connections`
 * in flight) in alternating rounds, so both see the same machine load; each round ends
 * with a refresh. Reports events/s and OpenSearch CPU per event for each.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { EVENT_MAPPINGS, eventDocumentId } from '@auditlog/opensearch';
import { parseCount } from '../report/args';
import { markdownTable } from '../report/markdown';
import { round } from '../report/stats';
import { INDEX_SORT } from '../query/cases';
import { benchEvent } from '../query/dataset';
import { openSearchCpuMicros } from './cpu';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '8' },
  },
});
const EVENTS = parseCount(args.events);
const ROUNDS = parseCount(args.rounds, '--rounds');
const CONNECTIONS = parseCount(args.connections, '--connections');
const BATCH = 100;
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const PREFIX = `bench-index-sort-${randomBytes(3).toString('hex')}`;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Side {
  name: string;
  index: string;
  sorted: boolean;
  seconds: number;
  cpuMicros: number;
  events: number;
}

async function load(client: Client, side: Side, start: number, count: number, now: number) {
  const starts: number[] = [];
  for (let at = start; at < start + count; at += BATCH) starts.push(at);
  const cpuBefore = await openSearchCpuMicros(client);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let at = starts.shift(); at !== undefined; at = starts.shift()) {
        const body: unknown[] = [];
        for (let index = at; index < Math.min(at + BATCH, start + count); index++) {
          const event = benchEvent(index, now, 1);
          body.push({ create: { _id: eventDocumentId(event.company_id, event.id) } }, event);
        }
        const { body: result } = await client.bulk({
          index: side.index,
          body: body as Record<string, unknown>[],
        });
        if (result.errors) throw new Error(`bulk into ${side.index} failed`);
      }
    }),
  );
  await client.indices.refresh({ index: side.index });
  side.seconds += (performance.now() - started) / 1000;
  side.cpuMicros += (await openSearchCpuMicros(client)) - cpuBefore;
  side.events += count;
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL });
  const sides: Side[] = [
    {
      name: 'unsorted',
      index: `${PREFIX}-unsorted`,
      sorted: false,
      seconds: 0,
      cpuMicros: 0,
      events: 0,
    },
    {
      name: 'sorted',
      index: `${PREFIX}-sorted`,
      sorted: true,
      seconds: 0,
      cpuMicros: 0,
      events: 0,
    },
  ];
  try {
    for (const side of sides) {
      await client.indices.create({
        index: side.index,
        body: {
          settings: {
            number_of_shards: 1,
            number_of_replicas: 0,
            refresh_interval: '1s',
            'translog.durability': 'request',
            'mapping.total_fields.limit': 200,
            ...(side.sorted ? INDEX_SORT : {}),
          },
          mappings: EVENT_MAPPINGS as unknown as Record<string, unknown>,
        },
      });
    }
    const perRound = Math.floor(EVENTS / ROUNDS / BATCH) * BATCH;
    const now = Date.now();
    log(
      `index sort cost: ${ROUNDS} rounds of ${perRound} events per side, ${CONNECTIONS} connections`,
    );
    for (let turn = 0; turn < ROUNDS; turn++) {
      // Alternate which side goes first, so neither always follows the other's merges.
      const order = turn % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) await load(client, side, turn * perRound, perRound, now);
    }
    const { body: segments } = await client.cat.segments({ index: `${PREFIX}-*`, format: 'json' });
    const rows = sides.map((side) => [
      side.name,
      side.events,
      round(side.events / side.seconds, 0),
      round(side.cpuMicros / side.events, 1),
      (segments as unknown as Array<{ index: string }>).filter((row) => row.index === side.index)
        .length,
    ]);
    log(
      markdownTable(['index', 'events', 'events/s', 'OpenSearch CPU µs/event', 'segments'], rows),
    );
  } finally {
    await client.indices.delete({ index: `${PREFIX}-*` }).catch(() => undefined);
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
