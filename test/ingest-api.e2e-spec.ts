import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { gzipSync } from 'node:zlib';
import type { Client } from '@opensearch-project/opensearch';
import {
  dropPrefix,
  startApp,
  storedDocuments,
  testClient,
  testEnvironment,
} from '@auditlog/testing';
import { IngestModule } from '../apps/ingest/src/ingest.module';

const MAX_REQUEST_BYTES = 1024 * 1024;

const setup = testEnvironment(
  'ingest-api',
  [
    { id: 'any', companies: '*' },
    { id: 'acme-only', companies: ['acme'] },
    { id: 'two', companies: ['acme', 'globex'] },
  ],
  { INGEST_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) },
);
const keys = {
  any: setup.keys.any.secret,
  acmeOnly: setup.keys['acme-only'].secret,
  two: setup.keys.two.secret,
};

const now = (): string => new Date().toISOString();
const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  company_id: 'acme',
  action: 'flow.created',
  actor: { id: 'alice' },
  ...extra,
});
const json = (value: unknown): string => JSON.stringify(value);
const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

interface HostileCase {
  name: string;
  batch?: boolean;
  body: string | Buffer;
  headers?: Record<string, string>;
  key?: string;
  status: number;
  /** Path expected among the problem's errors, or among item 0's errors for a 207. */
  path?: string;
  detail?: RegExp;
}

const hostile: HostileCase[] = [
  { name: 'malformed JSON', body: '{"action":', detail: /not valid JSON/, status: 400 },
  { name: 'trailing garbage after JSON', body: `${json(valid())} x`, status: 400 },
  { name: 'an array on the single endpoint', body: json([valid()]), status: 400, path: '' },
  { name: 'null', body: 'null', status: 400, path: '' },
  { name: 'a JSON string', body: '"flow.created"', status: 400, path: '' },
  {
    name: 'missing actor',
    body: json({ company_id: 'acme', action: 'a.b' }),
    status: 400,
    path: 'actor',
  },
  {
    name: 'actor.id a number',
    body: json(valid({ actor: { id: 7 } })),
    status: 400,
    path: 'actor.id',
  },
  {
    name: 'uppercase action',
    body: json(valid({ action: 'Flow.Created' })),
    status: 400,
    path: 'action',
  },
  { name: 'action a number', body: json(valid({ action: 12 })), status: 400, path: 'action' },
  {
    name: 'unknown top-level field',
    body: json(valid({ colour: 'red' })),
    status: 400,
    path: 'colour',
  },
  {
    name: 'unknown actor field',
    body: json(valid({ actor: { id: 'a', role: 'x' } })),
    status: 400,
    path: 'actor.role',
  },
  {
    name: 'unknown ancestor field',
    body: json(valid({ target: { ancestors: [{ id: 'p', kind: 'x' }] } })),
    status: 400,
    path: 'target.ancestors[0].kind',
  },
  {
    name: 'id without timestamp',
    body: json(valid({ id: 'h-1' })),
    status: 400,
    path: 'timestamp',
  },
  {
    name: 'timestamp as words',
    body: json(valid({ timestamp: 'yesterday' })),
    status: 400,
    path: 'timestamp',
  },
  {
    name: 'timestamp month 13',
    body: json(valid({ timestamp: '2026-13-01T00:00:00Z' })),
    status: 400,
    path: 'timestamp',
  },
  {
    name: 'timestamp as epoch number',
    body: json(valid({ timestamp: 1767225600000 })),
    status: 400,
    path: 'timestamp',
  },
  {
    name: 'timestamp far in the future',
    body: json(valid({ timestamp: '2999-01-01T00:00:00Z' })),
    status: 400,
    path: 'timestamp',
  },
  {
    name: 'invalid IPv4',
    body: json(valid({ source: { ip: '300.1.1.1' } })),
    status: 400,
    path: 'source.ip',
  },
  {
    name: 'invalid IPv6',
    body: json(valid({ source: { ip: 'fe80:::1' } })),
    status: 400,
    path: 'source.ip',
  },
  {
    name: 'top-level __proto__',
    body: '{"company_id":"acme","action":"a.b","actor":{"id":"a"},"__proto__":{"admin":true}}',
    status: 400,
    path: '__proto__',
  },
  {
    name: 'constructor inside details',
    body: json(valid({ details: { constructor: { prototype: 1 } } })),
    status: 400,
    path: 'details.constructor',
  },
  {
    name: 'prototype inside context',
    body: json(valid({ context: { prototype: 'x' } })),
    status: 400,
    path: 'context.prototype',
  },
  {
    name: 'lone surrogate in a string',
    body: json(valid()).replace('"alice"', '"al\\ud800ice"'),
    status: 400,
    path: 'actor.id',
  },
  {
    name: 'invalid UTF-8 bytes',
    body: Buffer.concat([
      Buffer.from('{"company_id":"acme","action":"a.b","actor":{"id":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]),
    detail: /not valid UTF-8/,
    status: 400,
  },
  {
    name: 'details nested 40 levels',
    body: json(valid({ details: JSON.parse(`{"a":${nested(40)}}`) as unknown })),
    status: 400,
    path: `details.a${'[0]'.repeat(30)}`,
  },
  {
    name: 'details nested 100,000 levels',
    body: `{"company_id":"acme","action":"a.b","actor":{"id":"a"},"details":{"a":${nested(100_000)}}}`,
    status: 400,
    path: `details.a${'[0]'.repeat(30)}`,
  },
  {
    name: 'details over 64 KiB',
    body: json(valid({ details: { blob: 'x'.repeat(70_000) } })),
    status: 400,
    path: 'details',
  },
  {
    name: 'event over 128 KiB',
    body: json(valid({ changes: [{ field: 'f', before: 'x'.repeat(140_000) }] })),
    status: 400,
    path: '',
  },
  {
    name: 'context with 33 keys',
    body: json(
      valid({ context: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }),
    ),
    status: 400,
    path: 'context',
  },
  {
    name: 'context with a number value',
    body: json(valid({ context: { task_id: 5 } })),
    status: 400,
    path: 'context',
  },
  {
    name: '201 changes',
    body: json(valid({ changes: Array.from({ length: 201 }, () => ({ field: 'f' })) })),
    status: 400,
    path: 'changes',
  },
  {
    name: 'change 3 without field',
    body: json(valid({ changes: [{ field: 'a' }, { field: 'b' }, { field: 'c' }, { after: 1 }] })),
    status: 400,
    path: 'changes[3].field',
  },
  {
    name: 'reason over 1024',
    body: json(valid({ reason: 'r'.repeat(1025) })),
    status: 400,
    path: 'reason',
  },
  {
    name: 'description over 2048',
    body: json(valid({ description: 'd'.repeat(2049) })),
    status: 400,
    path: 'description',
  },
  {
    name: 'id with a space',
    body: json(valid({ id: 'h 2', timestamp: now() })),
    status: 400,
    path: 'id',
  },
  {
    name: 'id over 128 characters',
    body: json(valid({ id: 'h'.repeat(129), timestamp: now() })),
    status: 400,
    path: 'id',
  },
  {
    name: 'company_id with a colon',
    body: json(valid({ company_id: 'ac:me' })),
    status: 400,
    path: 'company_id',
  },
  {
    name: 'missing company_id with an unbound key',
    body: json({ action: 'a.b', actor: { id: 'a' } }),
    status: 400,
    path: 'company_id',
  },
  {
    name: 'unknown operation',
    body: json(valid({ operation: 'destroy' })),
    status: 400,
    path: 'operation',
  },
  { name: 'unknown outcome', body: json(valid({ outcome: 'ok' })), status: 400, path: 'outcome' },
  {
    name: 'unknown actor type',
    body: json(valid({ actor: { id: 'a', type: 'robot' } })),
    status: 400,
    path: 'actor.type',
  },
  {
    name: 'key bound to acme writing for globex',
    key: keys.acmeOnly,
    body: json(valid({ company_id: 'globex' })),
    status: 403,
    path: 'company_id',
  },
  {
    name: 'Content-Type text/plain',
    body: json(valid()),
    headers: { 'Content-Type': 'text/plain' },
    status: 415,
  },
  {
    name: 'NDJSON on the single endpoint',
    body: json(valid()),
    headers: { 'Content-Type': 'application/x-ndjson' },
    status: 415,
  },
  {
    name: 'a latin1 charset',
    body: json(valid()),
    headers: { 'Content-Type': 'application/json; charset=latin1' },
    status: 415,
  },
  {
    name: 'Content-Encoding br',
    body: json(valid()),
    headers: { 'Content-Encoding': 'br' },
    status: 415,
  },
  {
    name: 'bad gzip',
    body: json(valid()),
    headers: { 'Content-Encoding': 'gzip' },
    detail: /not valid gzip/,
    status: 400,
  },
  {
    name: 'body over the request limit',
    body: json(valid({ details: { blob: 'x'.repeat(MAX_REQUEST_BYTES) } })),
    status: 413,
  },
  {
    name: 'gzip bomb',
    body: gzipSync(Buffer.alloc(50 * MAX_REQUEST_BYTES, 0x20)),
    headers: { 'Content-Encoding': 'gzip' },
    detail: /after decompression/,
    status: 413,
  },
  { name: 'empty batch array', batch: true, body: '[]', status: 400, path: 'events' },
  { name: 'empty batch envelope', batch: true, body: '{"events":[]}', status: 400, path: 'events' },
  {
    name: 'envelope events not an array',
    batch: true,
    body: '{"events":{}}',
    status: 400,
    path: 'events',
  },
  {
    name: 'envelope with an unknown field',
    batch: true,
    body: '{"events":[],"extra":1}',
    status: 400,
    path: 'extra',
  },
  { name: 'malformed batch JSON', batch: true, body: '[{"action":"a.b"},', status: 400 },
  { name: 'batch of a JSON number', batch: true, body: '42', status: 400, path: '' },
  {
    name: '5,001 events',
    batch: true,
    body: json(Array.from({ length: 5001 }, () => valid())),
    detail: /at most 5000 events/,
    status: 413,
  },
  {
    name: 'batch Content-Type text/csv',
    batch: true,
    body: 'a,b',
    headers: { 'Content-Type': 'text/csv' },
    status: 415,
  },
  {
    name: 'batch gzip bomb',
    batch: true,
    body: gzipSync(Buffer.alloc(50 * MAX_REQUEST_BYTES, 0x20)),
    headers: { 'Content-Encoding': 'gzip' },
    status: 413,
  },
  {
    name: 'batch whose only item is invalid',
    batch: true,
    body: json([valid({ actor: {} })]),
    status: 207,
    path: 'actor.id',
  },
  {
    name: 'NDJSON line that is not JSON',
    batch: true,
    body: '{"action":\n',
    headers: { 'Content-Type': 'application/x-ndjson' },
    status: 207,
    path: '',
  },
  {
    name: 'batch item for a forbidden company',
    batch: true,
    key: keys.acmeOnly,
    body: json([valid({ company_id: 'globex' })]),
    status: 207,
    path: 'company_id',
  },
  {
    name: 'batch item with __proto__',
    batch: true,
    body: `[{"company_id":"acme","action":"a.b","actor":{"id":"a","__proto__":{}}}]`,
    status: 207,
    path: 'actor.__proto__',
  },
];

describe('ingest API', () => {
  let app: INestApplication;
  let client: Client;

  beforeAll(async () => {
    client = testClient();
    app = await startApp('ingest', IngestModule, setup.env);
  });

  afterAll(async () => {
    await app?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  const post = (path: string, key: string = keys.any): request.Test =>
    request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${key}`);

  describe('hostile and malformed input', () => {
    it.each(hostile.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
      const call = post(entry.batch ? '/v1/events/batch' : '/v1/events', entry.key).set({
        'Content-Type': 'application/json',
        ...entry.headers,
      });
      // Send the bytes as they are: superagent would JSON-encode a Buffer.
      const response = await call.serialize((body: unknown) => body as string).send(entry.body);
      expect(response.status).toBe(entry.status);
      if (entry.status === 207) {
        expect(response.body).toMatchObject({ created: 0, rejected: 1 });
        const paths = (response.body.results[0].errors as Array<{ path: string }>).map(
          (e) => e.path,
        );
        expect(paths).toContain(entry.path);
        return;
      }
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: entry.status });
      if (entry.path !== undefined) {
        const paths = (response.body.errors as Array<{ path: string }>).map((e) => e.path);
        expect(paths).toContain(entry.path);
      }
    });

    it('stored none of them', async () => {
      expect(hostile.length).toBeGreaterThanOrEqual(40);
      expect(await storedDocuments(client, setup.indexPrefix)).toEqual([]);
    });
  });

  describe('storing', () => {
    const stamped = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
      valid({ id, timestamp: now(), ...extra });

    it('answers 201 created, then 200 duplicate for the same company and id', async () => {
      const event = stamped('one-1');
      const first = await post('/v1/events').send(event).expect(201);
      expect(first.body).toEqual({ id: 'one-1', status: 'created' });
      const again = await post('/v1/events').send(event).expect(200);
      expect(again.body).toEqual({ id: 'one-1', status: 'duplicate' });
      // The same id in another company is another event.
      await post('/v1/events')
        .send({ ...event, company_id: 'globex' })
        .expect(201);
    });

    it('fills company_id from a key bound to one company', async () => {
      const { company_id: _omitted, ...event } = stamped('bound-1');
      await post('/v1/events', keys.acmeOnly).send(event).expect(201);
      const stored = await storedDocuments<{ id: string; company_id: string; ingest: unknown }>(
        client,
        setup.indexPrefix,
      );
      expect(stored.find((doc) => doc.id === 'bound-1')).toMatchObject({
        company_id: 'acme',
        ingest: { key_id: 'acme-only' },
      });
    });

    it.each([
      ['a JSON array', 'application/json', (events: unknown[]) => json(events), false],
      ['an events envelope', 'application/json', (events: unknown[]) => json({ events }), false],
      [
        'NDJSON',
        'application/x-ndjson',
        (events: unknown[]) => events.map(json).join('\n') + '\n',
        false,
      ],
      [
        'gzipped NDJSON',
        'application/x-ndjson',
        (events: unknown[]) => events.map(json).join('\n'),
        true,
      ],
    ] as const)('takes a batch as %s', async (format, type, encode, gzip) => {
      const tag = format.replace(/[^a-z]/gi, '');
      const events = [stamped(`${tag}-1`), stamped(`${tag}-2`)];
      const body = Buffer.from(encode(events));
      const response = await post('/v1/events/batch')
        .set('Content-Type', type)
        .set(gzip ? { 'Content-Encoding': 'gzip' } : {})
        .serialize((data: unknown) => data as string)
        .send(gzip ? gzipSync(body) : body)
        .expect(200);
      expect(response.body).toEqual({
        results: [
          { index: 0, id: `${tag}-1`, status: 'created' },
          { index: 1, id: `${tag}-2`, status: 'created' },
        ],
        created: 2,
        duplicates: 0,
        rejected: 0,
      });
    });

    it('stores the valid items of a partly invalid batch (207) and dedupes within it', async () => {
      const response = await post('/v1/events/batch', keys.two)
        .send([
          stamped('mixed-1'),
          valid({ action: 'BAD' }),
          stamped('mixed-1'),
          stamped('mixed-2', { company_id: 'initech' }),
          valid(),
        ])
        .expect(207);
      expect(response.body).toMatchObject({ created: 2, duplicates: 1, rejected: 2 });
      expect(response.body.results.map((item: { status: string }) => item.status)).toEqual([
        'created',
        'rejected',
        'duplicate',
        'rejected',
        'created',
      ]);
      expect(response.body.results[1].errors).toEqual([
        { path: 'action', message: expect.stringMatching(/dotted lowercase/) },
      ]);
      expect(response.body.results[3]).toMatchObject({
        id: 'mixed-2',
        errors: [{ path: 'company_id', message: expect.stringMatching(/may not write/) }],
      });
      const stored = await storedDocuments<{ id: string }>(client, setup.indexPrefix);
      expect(stored.filter((doc) => doc.id === 'mixed-1')).toHaveLength(1);
      expect(stored.map((doc) => doc.id)).not.toContain('mixed-2');
      expect(stored.map((doc) => doc.id)).toContain(response.body.results[4].id);
    });

    it('stores a batch sent by 20 concurrent, retrying senders exactly once', async () => {
      const events = Array.from({ length: 1000 }, (_, i) =>
        stamped(`race-${i}`, { company_id: 'race', description: `event ${i}` }),
      );
      const send = async (): Promise<{ created: number; duplicates: number }> => {
        for (let attempt = 0; ; attempt++) {
          const response = await post('/v1/events/batch').send(events);
          if (response.status === 200) return response.body;
          if (attempt > 20) throw new Error(`gave up: ${response.status}`);
        }
      };
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => [await send(), await send()]),
      );
      const flat = answers.flat();
      expect(flat.reduce((sum, body) => sum + body.created, 0)).toBe(1000);
      expect(flat.reduce((sum, body) => sum + body.created + body.duplicates, 0)).toBe(40 * 1000);
      await client.indices.refresh({ index: `${setup.indexPrefix}-events-*` });
      const { body } = await client.count({
        index: `${setup.indexPrefix}-events-*`,
        body: { query: { term: { company_id: 'race' } } },
      });
      expect(body.count).toBe(1000);
    });

    it('counts results and exposes group-commit metrics', async () => {
      const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/auditlog_ingest_events_total\{status="created"[^}]*\} [1-9]/);
      expect(metrics.text).toMatch(/auditlog_ingest_events_total\{status="rejected"[^}]*\} [1-9]/);
      expect(metrics.text).toMatch(/auditlog_ingest_events_total\{status="duplicate"[^}]*\} [1-9]/);
      expect(metrics.text).toContain('auditlog_ingest_bulk_duration_seconds_bucket');
      expect(metrics.text).toMatch(/auditlog_ingest_queue_events\{[^}]*\} 0/);
    });
  });
});
