import { canonicalJson } from '../canonical-json';
import { eventHash } from '../event-hash';
import { exactNormalize, normalizeEvent } from '../event-input';
import { eventDtoProblems } from './event.dto';
import { EVENT_FIELDS, eventJsonSchema, isValidEventShape } from './event-schema';
import { findHostileInput } from './hostile-input';
import { itemAt } from '@auditlog/testing';

/** A small seeded PRNG (mulberry32), so a failing case can be reproduced from its number. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function base(): Record<string, unknown> {
  return {
    id: 'evt-1',
    timestamp: '2026-01-02T03:04:05.678Z',
    company_id: 'acme',
    action: 'flow.updated',
    category: 'flow',
    operation: 'update',
    actor: {
      id: 'u-1',
      type: 'agent',
      name: 'Zoë',
      email: 'zoe@example.com',
      impersonator: { id: 'admin-1', type: 'user', name: 'Admin' },
    },
    target: {
      type: 'service',
      id: 'svc-9',
      name: 'billing',
      ancestors: [
        { type: 'project', id: 'p-1', name: 'P' },
        { type: 'environment', id: 'prod' },
      ],
    },
    outcome: 'failure',
    reason: 'quota exceeded',
    source: {
      tool: 'console',
      ip: '2001:db8::1',
      user_agent: 'curl/8',
      request_id: 'r-1',
      session_id: 's-1',
    },
    context: { task_id: 't-7', flow_id: 'f-1' },
    description: 'Changed replicas',
    changes: [{ field: 'replicas', before: 1, after: 2 }],
    details: { nested: { list: [true, null, 'x'] } },
  };
}

const PATHS = [
  ...EVENT_FIELDS,
  'actor.id',
  'actor.type',
  'actor.name',
  'actor.email',
  'actor.impersonator',
  'actor.impersonator.id',
  'actor.impersonator.type',
  'actor.unknown',
  'target.type',
  'target.id',
  'target.name',
  'target.ancestors',
  'target.ancestors.0',
  'target.ancestors.0.id',
  'target.ancestors.1.extra',
  'source.ip',
  'source.tool',
  'source.user_agent',
  'source.extra',
  'context.task_id',
  'context.',
  'changes.0',
  'changes.0.field',
  'changes.0.before',
  'changes.0.extra',
  'details.nested',
  'unknown_field',
];

const emoji = '\ud83d\ude00';
const VALUES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'flow.created',
  'Flow.Created',
  'flow',
  'user',
  'service',
  'create',
  'success',
  'maybe',
  'a@b',
  'not an email',
  '10.0.0.1',
  '::1',
  '999.1.1.1',
  '2026-01-02T03:04:05Z',
  '2026-01-02T03:04:05.1+01:00',
  '2026-02-30T03:04:05Z',
  '2026-01-02 03:04:05',
  'a.b:c-d_e',
  'bad id!',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(320),
  'x'.repeat(1024),
  'x'.repeat(1025),
  `${emoji.repeat(600)}`,
  `${emoji.repeat(1025)}`,
  `${'x'.repeat(1020)}\ufe0f\ufe0f\ufe0f\ufe0f\ufe0f`,
  'x'.repeat(2048),
  'x'.repeat(2049),
  0,
  42,
  true,
  [],
  [{}],
  [{ type: 'a', id: 'b' }],
  [{ field: 'f' }],
  [{ field: '' }],
  [null],
  [[]],
  ['x'],
  Array.from({ length: 33 }, () => ({ id: 'a' })),
  {},
  { id: 'x' },
  { id: '' },
  { id: 'x', type: 'robot' },
  { field: 'f', before: null },
  { a: 'b' },
  { a: 1 },
  { '': 'x' },
  Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])),
  { big: 'x'.repeat(70_000) },
  { bigger: 'x'.repeat(140_000) },
  'lone \ud800 surrogate',
  { 'key \udc00': 'x' },
  JSON.parse('{"__proto__": "x"}') as unknown,
];

/** Sets `path` (dot-separated; numeric parts index arrays) to `value`, deleting on undefined. */
function mutate(event: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = event;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string, unknown>;
  }
  const last = parts.at(-1);
  if (last === undefined) return;
  // Deleting an array element would leave a hole, which JSON cannot carry: remove it.
  if (value === undefined && Array.isArray(node)) node.splice(Number(last), 1);
  else if (value === undefined) delete node[last];
  else node[last] = JSON.parse(JSON.stringify(value)) as unknown;
}

/** Elements that are arrays inside ancestors/changes: class-validator lets `[[]]` through. */
function hasNestedArrayElement(event: Record<string, unknown>): boolean {
  const lists = [
    (event.target as { ancestors?: unknown } | null | undefined)?.ancestors,
    event.changes,
  ];
  return lists.some((list) => Array.isArray(list) && list.some((item) => Array.isArray(item)));
}

describe('isValidEventShape against the class-validator rules', () => {
  it('accepts the full example event and lists the fields in the documented order', () => {
    expect(isValidEventShape(base())).toBe(true);
    expect(eventDtoProblems(base())).toEqual([]);
    expect(EVENT_FIELDS).toEqual([
      'id',
      'timestamp',
      'company_id',
      'action',
      'category',
      'operation',
      'actor',
      'target',
      'outcome',
      'reason',
      'source',
      'context',
      'description',
      'changes',
      'details',
    ]);
  });

  it('agrees with class-validator on 6,000 generated valid and invalid events', () => {
    const next = random(14);
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 6000; n++) {
      const event = base();
      const mutations = 1 + Math.floor(next() * 3);
      for (let m = 0; m < mutations; m++) {
        const path = itemAt(PATHS, Math.floor(next() * PATHS.length));
        mutate(event, path, VALUES[Math.floor(next() * VALUES.length)]);
      }
      // The whole normalisation: the hot path and the exact path give one outcome.
      if (typeof event.id === 'string') {
        const context = { keyId: 'k1', now: new Date('2026-01-02T03:05:00.000Z') };
        expect(normalizeEvent(event, context)).toEqual(exactNormalize(event, context));
      }
      // Both rule sets run after the hostile-input checks, as in normalizeEvent.
      if (findHostileInput(event).length > 0) continue;
      const bytes = Buffer.byteLength(JSON.stringify(event), 'utf8');
      const fast = isValidEventShape(event, bytes);
      const problems = eventDtoProblems(event);
      const label = `case ${n}: ${JSON.stringify(event)}`;
      // Never more lenient than the DTO: an event the compiled rules accept is valid.
      if (fast) expect([label, problems]).toEqual([label, []]);
      // And exactly as strict, except the odd corner of array elements that are arrays,
      // which it leaves to the DTO path to decide.
      else if (!hasNestedArrayElement(event))
        expect([label, problems.length > 0]).toEqual([label, true]);
      if (fast) accepted += 1;
      else rejected += 1;
    }
    // The table must exercise both outcomes in earnest.
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(2000);
  });

  it('counts lengths as class-validator does: code points, variation selectors free', () => {
    const at = (name: string) => isValidEventShape({ ...base(), actor: { id: 'a', name } });
    expect(at(emoji.repeat(1024))).toBe(true);
    expect(at(emoji.repeat(1025))).toBe(false);
    expect(at(`${'x'.repeat(1024)}\ufe0f`)).toBe(true);
  });

  it('bounds details by the serialised event when it can, and measures it otherwise', () => {
    const details = { big: 'x'.repeat(70_000) };
    expect(isValidEventShape({ ...base(), details }, 1000)).toBe(true);
    expect(isValidEventShape({ ...base(), details })).toBe(false);
    expect(isValidEventShape({ ...base(), details: { small: 1 } })).toBe(true);
  });
});

describe('normalizeEvent storage text', () => {
  it('stores the canonical, hashed text with the server fields appended', () => {
    const result = normalizeEvent(base(), {
      keyId: 'k1',
      clientIp: '10.0.0.9',
      now: new Date('2026-01-02T03:05:00.000Z'),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(JSON.parse(result.source)).toEqual(result.event);
    const { hash, scope: _scope, ingest: _ingest, ...owned } = result.event;
    expect(hash).toBe(eventHash(owned));
    expect(result.source.startsWith(canonicalJson(owned).slice(0, -1))).toBe(true);
  });
});

describe('eventJsonSchema', () => {
  it('describes every top-level field and forbids the rest', () => {
    const schema = eventJsonSchema();
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['action', 'actor'],
      additionalProperties: false,
    });
    expect(Object.keys(schema.properties as object)).toEqual(EVENT_FIELDS);
    expect((schema.properties as Record<string, unknown>).actor).toMatchObject({
      required: ['id'],
      properties: { type: { enum: ['user', 'api_token', 'service', 'agent', 'system'] } },
    });
  });
});
