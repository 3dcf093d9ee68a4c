/**
 * The ingest app's per-event work without HTTP or OpenSearch, in this process: parse a
 * 100-event batch body, validate and normalise each event, and produce the `_bulk` source.
 * A steady CPU figure for comparing two builds on a busy machine (run both back to back).
 *
 *   npx tsx bench/ingest/pipeline.ts [--rounds 3000]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { normalizeEvent } from '@auditlog/events';
import { benchEvent } from './bench-events';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3000' } } });
const ROUNDS = Number(values.rounds);
const BATCH = 100;
const body = JSON.stringify(Array.from({ length: BATCH }, (_, i) => benchEvent('p', i, 10)));

function round(): number {
  let bytes = 0;
  const now = new Date();
  for (const input of JSON.parse(body) as unknown[]) {
    const result = normalizeEvent(input, { keyId: 'bench', clientIp: '127.0.0.1', now });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    // Builds before the single serialisation had no `source`: the group commit stringified.
    const source = (result as { source?: string }).source ?? JSON.stringify(result.event);
    bytes += source.length;
  }
  return bytes;
}

for (let i = 0; i < ROUNDS / 10; i++) round();
const before = process.cpuUsage();
for (let i = 0; i < ROUNDS; i++) round();
const used = process.cpuUsage(before);
const micros = (used.user + used.system) / (ROUNDS * BATCH);
process.stdout.write(
  `parse + normalise + serialise: ${micros.toFixed(1)} µs of CPU per event over ${ROUNDS * BATCH} events\n`,
);
