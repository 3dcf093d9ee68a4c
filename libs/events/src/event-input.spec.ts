import { canonicalJson } from './canonical-json';
import { normalizeEvent, type IngestContext } from './event-input';

const now = new Date('2026-01-02T03:05:00.000Z');
const context: IngestContext = { keyId: 'k1', now };
const minimal = { company_id: 'acme', action: 'flow.created', actor: { id: 'alice' } };

function errorsOf(
  input: unknown,
  extra: Partial<IngestContext> = {},
): Array<{ path: string; message: string }> {
  const result = normalizeEvent(input, { ...context, ...extra });
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.errors;
}

describe('normalizeEvent: defaults and server fields', () => {
  it('fills defaults, server fields and the scope helper', () => {
    const result = normalizeEvent(
      {
        ...minimal,
        action: 'approval.step.denied',
        target: {
          type: 'service',
          id: 's1',
          ancestors: [{ type: 'project', id: 'p1' }, { type: 'env' }],
        },
      },
      { ...context, clientIp: '::1' },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.event).toMatchObject({
      timestamp: '2026-01-02T03:05:00.000Z',
      received_at: '2026-01-02T03:05:00.000Z',
      category: 'approval',
      actor: { id: 'alice', type: 'user' },
      outcome: 'success',
      schema_version: 1,
      scope: ['project:p1', 'service:s1'],
      ingest: { key_id: 'k1', client_ip: '::1' },
    });
    expect(result.event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('takes company_id from a key bound to one company', () => {
    const { company_id: _omitted, ...withoutCompany } = minimal;
    const result = normalizeEvent(withoutCompany, { ...context, boundCompanyId: 'solo' });
    expect(result.ok && result.event.company_id).toBe('solo');
    expect(errorsOf(withoutCompany).map((error) => error.path)).toEqual(['company_id']);
  });

  it('normalises timestamps to UTC milliseconds', () => {
    const result = normalizeEvent(
      { ...minimal, id: 'x', timestamp: '2026-01-02T04:04:05.678912+01:00' },
      context,
    );
    expect(result.ok && result.event.timestamp).toBe('2026-01-02T03:04:05.678Z');
  });

  it('hashes the owner view with a fixed, independently computed vector', () => {
    const result = normalizeEvent(
      {
        id: 'evt-42',
        timestamp: '2026-01-02T04:04:05.678912+01:00',
        company_id: 'acme',
        action: 'flow.updated',
        operation: 'update',
        actor: {
          id: 'u-1',
          type: 'agent',
          name: 'Zo\u00eb',
          email: 'zoe@example.com',
          impersonator: { id: 'admin-1', type: 'user' },
        },
        target: {
          type: 'service',
          id: 'svc-9',
          name: 'billing',
          ancestors: [
            { type: 'project', id: 'p-1' },
            { type: 'environment', id: 'prod' },
          ],
        },
        outcome: 'failure',
        reason: 'quota exceeded',
        source: { tool: 'console', ip: '2001:db8::1', user_agent: 'curl/8' },
        context: { task_id: 't-7' },
        description: 'Changed replicas',
        changes: [{ field: 'replicas', before: 1, after: 2.5 }],
        details: { nested: { list: [true, null, 'x'] }, '\u20ac': 1e21 },
      },
      { keyId: 'k1', clientIp: '10.0.0.1', now },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    // The canonical owner view (everything but hash, ingest and scope), as documented in
    // docs/ingest.md; printf '%s' '<this line>' | sha256sum gives the hash below.
    const canonical =
      '{"action":"flow.updated","actor":{"email":"zoe@example.com","id":"u-1","impersonator":{"id":"admin-1","type":"user"},"name":"Zoë","type":"agent"},"category":"flow","changes":[{"after":2.5,"before":1,"field":"replicas"}],"company_id":"acme","context":{"task_id":"t-7"},"description":"Changed replicas","details":{"nested":{"list":[true,null,"x"]},"€":1e+21},"id":"evt-42","operation":"update","outcome":"failure","reason":"quota exceeded","received_at":"2026-01-02T03:05:00.000Z","schema_version":1,"source":{"ip":"2001:db8::1","tool":"console","user_agent":"curl/8"},"target":{"ancestors":[{"id":"p-1","type":"project"},{"id":"prod","type":"environment"}],"id":"svc-9","name":"billing","type":"service"},"timestamp":"2026-01-02T03:04:05.678Z"}';
    const { hash, ingest, scope, ...owner } = result.event;
    expect(canonicalJson(owner)).toBe(canonical);
    expect(hash).toBe('a5819eba4e78f370b23bc5927ddb113f3681266d87715650dc644ef805fce24c');
    expect(scope).toEqual(['project:p-1', 'environment:prod', 'service:svc-9']);
    expect(ingest).toEqual({ key_id: 'k1', client_ip: '10.0.0.1' });
  });
});

const deep = (levels: number): unknown => {
  let value: unknown = {};
  for (let level = 0; level < levels; level++) value = { d: value };
  return value;
};

describe('normalizeEvent: rejections name the field and the rule', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', [minimal], '', /JSON object/],
    ['unknown top-level field', { ...minimal, colour: 'red' }, 'colour', /unknown field "colour"/],
    [
      'unknown actor field',
      { ...minimal, actor: { id: 'a', role: 'x' } },
      'actor.role',
      /unknown field/,
    ],
    ['missing actor.id', { ...minimal, actor: {} }, 'actor.id', /required/],
    ['actor not an object', { ...minimal, actor: 'alice' }, 'actor', /object/],
    ['bad actor.type', { ...minimal, actor: { id: 'a', type: 'robot' } }, 'actor.type', /one of/],
    ['bad email', { ...minimal, actor: { id: 'a', email: 'no-at' } }, 'actor.email', /e-mail/],
    ['bad action', { ...minimal, action: 'Flow.Created' }, 'action', /dotted lowercase/],
    ['action without dot', { ...minimal, action: 'login' }, 'action', /dotted lowercase/],
    ['long action', { ...minimal, action: `a.${'b'.repeat(127)}` }, 'action', /128/],
    ['bad id', { ...minimal, id: 'a b', timestamp: '2026-01-02T03:04:05Z' }, 'id', /1-128/],
    ['id without timestamp', { ...minimal, id: 'x' }, 'timestamp', /required when id/],
    ['future timestamp', { ...minimal, timestamp: '2026-01-02T03:10:01Z' }, 'timestamp', /future/],
    [
      'timestamp without zone',
      { ...minimal, timestamp: '2026-01-02T03:04:05' },
      'timestamp',
      /ISO 8601/,
    ],
    ['impossible date', { ...minimal, timestamp: '2026-02-30T03:04:05Z' }, 'timestamp', /ISO 8601/],
    ['bad company_id', { ...minimal, company_id: 'a:b' }, 'company_id', /1-64/],
    ['bad operation', { ...minimal, operation: 'destroy' }, 'operation', /one of/],
    ['bad outcome', { ...minimal, outcome: 'ok' }, 'outcome', /one of/],
    ['long reason', { ...minimal, reason: 'r'.repeat(1025) }, 'reason', /1024/],
    ['long description', { ...minimal, description: 'd'.repeat(2049) }, 'description', /2048/],
    ['invalid IP', { ...minimal, source: { ip: '10.0.0.256' } }, 'source.ip', /ip address/],
    ['unknown source field', { ...minimal, source: { port: 1 } }, 'source.port', /unknown field/],
    ['nested context', { ...minimal, context: { a: { b: 'c' } } }, 'context', /flat object/],
    [
      'too many context keys',
      {
        ...minimal,
        context: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])),
      },
      'context',
      /32/,
    ],
    [
      'too many changes',
      { ...minimal, changes: Array.from({ length: 201 }, () => ({ field: 'f' })) },
      'changes',
      /200/,
    ],
    [
      'change without field',
      { ...minimal, changes: [{ field: 'a' }, { field: 'b' }, { field: 'c' }, { before: 1 }] },
      'changes[3].field',
      /required/,
    ],
    ['details not an object', { ...minimal, details: [1, 2] }, 'details', /object/],
    [
      'details over 64 KiB',
      { ...minimal, details: { blob: 'x'.repeat(65_536) } },
      'details',
      /65536 bytes/,
    ],
    [
      'event over 128 KiB',
      { ...minimal, description: 'x', changes: [{ field: 'f', before: 'x'.repeat(131_072) }] },
      '',
      /131072/,
    ],
    [
      '__proto__ key',
      JSON.parse(
        '{"company_id":"a","action":"a.b","actor":{"id":"x"},"details":{"__proto__":{}}}',
      ) as unknown,
      'details.__proto__',
      /not allowed/,
    ],
    [
      'constructor key',
      { ...minimal, changes: [{ field: 'f', after: { constructor: 1 } }] },
      'changes[0].after.constructor',
      /not allowed/,
    ],
    ['lone surrogate', { ...minimal, description: 'bad \ud800 text' }, 'description', /Unicode/],
    [
      'too deep',
      { ...minimal, details: deep(40) },
      'details.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d',
      /32 levels/,
    ],
    [
      'ancestor unknown field',
      { ...minimal, target: { ancestors: [{ id: 'a', kind: 'x' }] } },
      'target.ancestors[0].kind',
      /unknown field/,
    ],
  ])('%s', (_case, input, path, message) => {
    const errors = errorsOf(input);
    const match = errors.find((error) => error.path === path);
    expect({ path: match?.path, message: match?.message }).toEqual({
      path,
      message: expect.stringMatching(message),
    });
  });

  it('accepts 32 levels of nesting', () => {
    expect(normalizeEvent({ ...minimal, details: deep(30) }, context).ok).toBe(true);
  });
});
