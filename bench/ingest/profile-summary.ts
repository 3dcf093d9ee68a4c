/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time,
 * the share of a few cost groups (validation, canonical JSON, hashing, GC, logging), and
 * the functions with the most inclusive time (themselves and everything they called,
 * each sample counted once per function however deep the recursion).
 *
 *   npx tsx bench/ingest/profile-summary.ts /tmp/prof/CPU.…cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const GROUPS: Array<[string, RegExp]> = [
  ['class-validator', /node_modules\/class-validator|node_modules\/validator\//],
  ['event validation (own)', /libs\/events\/src\/validation|event-input|event-validator/],
  ['canonical JSON + hash', /canonical-json|event-hash/],
  ['logging (pino)', /node_modules\/(pino|pino-http|nestjs-pino|sonic-boom|fast-redact)/],
  ['OpenSearch client', /node_modules\/@opensearch-project/],
  ['express + Nest', /node_modules\/(express|router|@nestjs|body-parser|finalhandler)/],
  ['prom-client', /node_modules\/prom-client/],
  [
    'JWT verification',
    /node_modules\/(jsonwebtoken|jws|jwa|passport|passport-jwt|@nestjs\/passport)\//,
  ],
  ['key objects (node:crypto keys)', /node:internal\/crypto\/keys/],
  ['OpenSearch response parsing', /node_modules\/secure-json-parse/],
  ['rxjs', /node_modules\/rxjs/],
  [
    'exceljs + zip (archiver, jszip)',
    /node_modules\/(exceljs|archiver|zip-stream|jszip|readable-stream)/,
  ],
  ['export formatting (own)', /apps\/export\/src\/format/],
];

/**
 * Socket writes: on a loaded machine most of their samples are the wait after waking the
 * peer (the process's system CPU stays small), so they are shown apart.
 */
const SOCKET_WRITES = 'socket writes (writev)';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top 25]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...self.values()].reduce((sum, micros) => sum + micros, 0);
  const idle = [...self.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((sum, [, micros]) => sum + micros, 0);
  const busy = total - idle;
  const perFunction = new Map<string, number>();
  const perGroup = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    const key = frameKey(frame);
    perFunction.set(key, (perFunction.get(key) ?? 0) + micros);
    const group =
      frame.functionName === '(garbage collector)'
        ? 'garbage collection'
        : frame.functionName === 'writev'
          ? SOCKET_WRITES
          : GROUPS.find(([, pattern]) => pattern.test(frame.url))?.[0];
    if (group) perGroup.set(group, (perGroup.get(group) ?? 0) + micros);
  }
  const pct = (micros: number): string => `${((100 * micros) / busy).toFixed(1)}%`;
  process.stdout.write(
    `busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled\n\n`,
  );
  process.stdout.write('| group | share of busy time |\n|---|---:|\n');
  for (const [group, micros] of [...perGroup].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`| ${group} | ${pct(micros)} |\n`);
  }
  process.stdout.write('\n| self time | function |\n|---:|---|\n');
  const top = Number(values.top);
  for (const [key, micros] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`| ${pct(micros)} | \`${key}\` |\n`);
  }
  const inclusive = inclusiveTimes(profile, byId, parentOf);
  process.stdout.write('\n| inclusive time | function |\n|---:|---|\n');
  for (const [key, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`| ${pct(micros)} | \`${key}\` |\n`);
  }
}

function frameKey(frame: ProfileNode['callFrame']): string {
  const url = frame.url
    .replace(/^file:\/\//, '')
    .replace(/.*\/(node_modules\/)/, '$1')
    .replace(/.*\/dist\//, 'dist/');
  return `${frame.functionName || '(anonymous)'} ${url}:${frame.lineNumber + 1}`;
}

/** Time of each function with its callees; the synthetic root and idle are left out. */
function inclusiveTimes(
  profile: Profile,
  byId: ReadonlyMap<number, ProfileNode>,
  parentOf: ReadonlyMap<number, number>,
): Map<string, number> {
  const keysOf = new Map<number, string[]>();
  const stackKeys = (id: number): string[] => {
    const known = keysOf.get(id);
    if (known) return known;
    const frame = byId.get(id)?.callFrame;
    const parent = parentOf.get(id);
    const above = parent === undefined ? [] : stackKeys(parent);
    const name = frame?.functionName;
    const keys =
      !frame || name === '(root)' || name === '(idle)' || name === '(program)'
        ? above
        : [...new Set([...above, frameKey(frame)])];
    keysOf.set(id, keys);
    return keys;
  };
  const times = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    const delta = profile.timeDeltas[index] ?? 0;
    for (const key of stackKeys(id)) times.set(key, (times.get(key) ?? 0) + delta);
  });
  return times;
}

main();
