import { firstOf, lastOf, sampleAuditEvent } from '@auditlog/testing';
import { classifyBulkAnswer, bulkBody } from './bulk.destination';
import { datadogEntry, packPayloads } from './datadog.destination';
import { ecsDocument } from './ecs-document';
import { classifyHecAnswer, hecBody, hecTime } from './splunk-hec.destination';

const json = (status: number, body: unknown) => ({
  status,
  headers: {},
  body: JSON.stringify(body),
});

describe('Splunk HEC', () => {
  const config = { type: 'splunk_hec' as const, url: 'https://s', token: 't' };

  it('sends epoch seconds with milliseconds', () => {
    expect(hecTime('2026-03-01T12:00:00.123Z')).toBe(1_772_366_400.123);
  });

  it('writes one envelope per event with the configured index, source and sourcetype', () => {
    const event = sampleAuditEvent();
    const lines = hecBody([event, event], { ...config, index: 'audit', sourcetype: 'st' }, 'h1')
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      time: Date.parse(event.timestamp) / 1000,
      host: 'h1',
      source: 'auditlog',
      sourcetype: 'st',
      index: 'audit',
      event,
    });
    expect(JSON.parse(hecBody([event], config))).toEqual({
      time: Date.parse(event.timestamp) / 1000,
      source: 'auditlog',
      sourcetype: '_json',
      event,
    });
  });

  it.each([
    [200, { text: 'Success', code: 0 }, 'delivered'],
    [400, { text: 'Invalid data format', code: 6 }, 'rejected'],
    [400, { text: 'No data', code: 5 }, 'rejected'],
    [400, { text: 'Incorrect index', code: 7 }, 'retry'],
    [400, { text: 'Data channel is missing', code: 10 }, 'retry'],
    [401, { text: 'Token is required', code: 2 }, 'retry'],
    [403, { text: 'Invalid token', code: 4 }, 'retry'],
    [429, { text: 'Server is busy', code: 9 }, 'retry'],
    [503, { text: 'Server is busy', code: 9 }, 'retry'],
    [200, { text: 'odd', code: 8 }, 'retry'],
  ])('maps HTTP %d %j to %s', (status, body, kind) => {
    expect(classifyHecAnswer(json(status, body), []).kind).toBe(kind);
  });
});

describe('Datadog logs intake', () => {
  it('writes reserved and standard attributes and the event under auditlog', () => {
    const event = sampleAuditEvent({ outcome: 'failure' });
    expect(
      datadogEntry(
        event,
        { type: 'datadog', api_key: 'k', tags: ['env:prod'], service: 'svc' },
        'h1',
      ),
    ).toEqual({
      ddsource: 'auditlog',
      ddtags: 'company_id:acme,env:prod',
      hostname: 'h1',
      service: 'svc',
      message: 'Alice signed in',
      status: 'warn',
      date: event.timestamp,
      evt: { id: event.id, name: 'user.login', category: 'authentication', outcome: 'failure' },
      usr: { id: 'u-1', name: 'Alice Ex', email: 'alice@example.com' },
      network: { client: { ip: '203.0.113.7' } },
      http: { useragent: 'Mozilla/5.0 (X11)' },
      auditlog: event,
    });
  });

  it('splits by entry count, keeping order', () => {
    const entries = Array.from({ length: 2501 }, (_, n) => JSON.stringify({ n }));
    const payloads = packPayloads(entries).map(
      (payload) => JSON.parse(payload) as Array<{ n: number }>,
    );
    expect(payloads.map((payload) => payload.length)).toEqual([1000, 1000, 501]);
    expect(payloads.flat().map((entry) => entry.n)).toEqual(entries.map((_, n) => n));
  });

  it('splits by payload bytes, never above the limit', () => {
    const entries = Array.from({ length: 10 }, (_, n) =>
      JSON.stringify({ n, pad: 'x'.repeat(90) }),
    );
    const payloads = packPayloads(entries, 1000, 350);
    expect(payloads.every((payload) => Buffer.byteLength(payload) <= 350)).toBe(true);
    expect(payloads.length).toBeGreaterThan(3);
    expect(payloads.flatMap((payload) => JSON.parse(payload) as unknown[])).toHaveLength(10);
  });

  it('gives an oversize entry a payload of its own', () => {
    const payloads = packPayloads(
      ['{"a":1}', JSON.stringify({ big: 'x'.repeat(500) }), '{"b":2}'],
      1000,
      100,
    );
    expect(payloads).toHaveLength(3);
  });
});

describe('ECS documents for _bulk', () => {
  it('maps the event to ECS fields and keeps it under auditlog', () => {
    const event = sampleAuditEvent();
    const document = ecsDocument(event, { hostname: 'h1', version: '1.0.0' });
    expect(document).toMatchObject({
      '@timestamp': event.timestamp,
      message: 'Alice signed in',
      event: {
        id: event.id,
        action: 'user.login',
        category: ['authentication'],
        type: ['start'],
        outcome: 'success',
        created: event.received_at,
        kind: 'event',
      },
      user: { id: 'u-1', name: 'Alice Ex', email: 'alice@example.com' },
      organization: { id: 'acme' },
      source: { ip: '203.0.113.7' },
      user_agent: { original: 'Mozilla/5.0 (X11)' },
      observer: { hostname: 'h1', version: '1.0.0', product: 'Audit Log Appliance' },
    });
    const namespaced = document.auditlog as Record<string, unknown>;
    expect(namespaced.details).toBe(JSON.stringify(event.details));
    expect(namespaced.changes).toBe(JSON.stringify(event.changes));
    expect(namespaced.actor).toEqual(event.actor);
  });

  it.each([
    ['iam', 'update', ['iam'], ['change']],
    ['billing', 'login', ['authentication'], ['start']],
    ['billing', 'delete', undefined, ['deletion']],
    ['billing', undefined, undefined, undefined],
  ] as const)('maps category %j with operation %j to %j / %j', (category, operation, ecs, type) => {
    const document = ecsDocument(sampleAuditEvent({ category, operation }), {
      hostname: 'h',
      version: '1',
    }) as { event: { category?: string[]; type?: string[] } };
    expect(document.event.category).toEqual(ecs);
    expect(document.event.type).toEqual(type);
  });

  it('leaves source.ip out when it is not an address', () => {
    const document = ecsDocument(sampleAuditEvent({ source: { ip: 'unknown' } }), {
      hostname: 'h',
      version: '1',
    });
    expect(document.source).toBeUndefined();
  });

  it('writes create actions with <company_id>:<id> ids', () => {
    const first = sampleAuditEvent();
    const lines = bulkBody([first], 'audit', { hostname: 'h', version: '1' })
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    const [action, document] = [firstOf(lines), lastOf(lines)];
    expect(action).toEqual({ create: { _index: 'audit', _id: `acme:${first.id}` } });
    expect(document['@timestamp']).toBe(first.timestamp);
  });

  const items = (...statuses: Array<[number, string?]>) => ({
    errors: statuses.some(([status]) => status >= 300),
    items: statuses.map(([status, type], n) => ({
      create: { _id: `c:${n}`, status, ...(type ? { error: { type, reason: 'why' } } : {}) },
    })),
  });

  it.each([
    ['all created', 200, items([201], [201]), 'delivered'],
    [
      'already there (redelivery)',
      200,
      items([201], [409, 'version_conflict_engine_exception']),
      'delivered',
    ],
    ['a mapping rejection', 200, items([201], [400, 'mapper_parsing_exception']), 'rejected'],
    [
      'an item throttled',
      200,
      items([400, 'mapper_parsing_exception'], [429, 'es_rejected_execution_exception']),
      'retry',
    ],
    ['an index read-only', 200, items([403, 'cluster_block_exception']), 'retry'],
    ['a shard failure', 200, items([503, 'unavailable_shards_exception']), 'retry'],
    ['a bad request', 400, { error: { type: 'parse_exception' }, status: 400 }, 'rejected'],
    ['unauthenticated', 401, { error: 'x' }, 'retry'],
    ['too large', 413, '', 'rejected'],
    ['overloaded', 429, '', 'retry'],
  ])('maps %s to %s', (_, status, body, kind) => {
    expect(classifyBulkAnswer(json(status, body), []).kind).toBe(kind);
  });

  it('names the failing item in a rejection', () => {
    const result = classifyBulkAnswer(
      json(200, items([201], [400, 'mapper_parsing_exception'])),
      [],
    );
    expect(result).toMatchObject({
      kind: 'rejected',
      status: 400,
      error: '1 item(s) failed; c:1: 400 mapper_parsing_exception why',
    });
  });
});
