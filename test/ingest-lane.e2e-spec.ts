import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import { IngestKeyGuard } from '@auditlog/auth';
import {
  type AppProcess,
  dropPrefix,
  startApp,
  startProcess,
  storedDocuments,
  testClient,
  testEnvironment,
} from '@auditlog/testing';
import { IngestModule } from '../apps/ingest/src/ingest.module';

/**
 * The ingest lane (ADR 0171) serves authenticated event requests beside the framework; a
 * request with an `Origin` header takes the framework's way. Each case is sent both ways:
 * the answers must be the same, and only the framework's requests meet its key guard.
 */
const setup = testEnvironment('ingest-lane', undefined, { INGEST_MAX_REQUEST_BYTES: '4096' });
const key = setup.keys.any.secret;
const FRAMEWORK = { Origin: 'https://producer.example' };

interface Case {
  name: string;
  path: '/v1/events' | '/v1/events/batch';
  headers?: Record<string, string>;
  body: (id: string) => string;
  status: number;
}

const timestamp = new Date().toISOString();
const event = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  timestamp,
  company_id: 'acme',
  action: 'flow.created',
  actor: { id: 'alice' },
  ...extra,
});

const cases: Case[] = [
  {
    name: 'a stored event',
    path: '/v1/events',
    body: (id) => JSON.stringify(event(id)),
    status: 201,
  },
  {
    name: 'an invalid event',
    path: '/v1/events',
    body: (id) => JSON.stringify(event(id, { action: 'Flow.Created' })),
    status: 400,
  },
  { name: 'malformed JSON', path: '/v1/events', body: () => '{"action":', status: 400 },
  {
    name: 'a body that is not JSON',
    path: '/v1/events',
    headers: { 'content-type': 'text/plain' },
    body: (id) => JSON.stringify(event(id)),
    status: 415,
  },
  {
    name: 'a body over the limit',
    path: '/v1/events',
    body: (id) => JSON.stringify(event(id, { description: 'x'.repeat(5000) })),
    status: 413,
  },
  {
    name: 'a batch with a rejected item',
    path: '/v1/events/batch',
    body: (id) => JSON.stringify([event(`${id}-a`), event(`${id}-b`, { actor: { id: 7 } })]),
    status: 207,
  },
  {
    name: 'an NDJSON batch',
    path: '/v1/events/batch',
    headers: { 'content-type': 'application/x-ndjson' },
    body: (id) => `${JSON.stringify(event(`${id}-a`))}\n${JSON.stringify(event(`${id}-b`))}\n`,
    status: 200,
  },
  { name: 'an empty batch', path: '/v1/events/batch', body: () => '[]', status: 400 },
];

/** What must not differ between the two ways: ids and request ids replaced. */
function comparable(response: request.Response, id: string): Record<string, unknown> {
  const headers = Object.fromEntries(
    Object.entries(response.headers).filter(
      ([name]) => !['date', 'x-request-id', 'content-length'].includes(name),
    ),
  );
  const text = response.text
    .replaceAll(id, '<id>')
    .replace(/"request_id":"[^"]+"/g, '"request_id":"<request>"');
  return { status: response.status, headers, body: text };
}

describe('ingest lane: event requests served beside the framework', () => {
  let app: INestApplication;
  let client: Client;
  let guard: jest.SpyInstance;

  beforeAll(async () => {
    client = testClient();
    guard = jest.spyOn(IngestKeyGuard.prototype, 'canActivate');
    app = await startApp('ingest', IngestModule, setup.env);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    guard?.mockRestore();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  const guardCalls = (): number => guard.mock.calls.length;

  it.each(cases)('answers $name the same both ways', async (entry) => {
    const send = (id: string, extra: Record<string, string>) =>
      request(app.getHttpServer())
        .post(entry.path)
        .set({
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          ...entry.headers,
          ...extra,
        })
        .send(entry.body(id));
    const before = guardCalls();
    const lane = await send(`lane-${entry.status}-${entry.name.length}`, {});
    expect(guardCalls()).toBe(before);
    const framework = await send(`framework-${entry.status}-${entry.name.length}`, FRAMEWORK);
    expect(guardCalls()).toBe(before + 1);

    expect(lane.status).toBe(entry.status);
    expect(lane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lane.headers.etag).toBeUndefined();
    expect(comparable(lane, `lane-${entry.status}-${entry.name.length}`)).toEqual(
      comparable(framework, `framework-${entry.status}-${entry.name.length}`),
    );
  });

  it('answers a duplicate 200 both ways', async () => {
    for (const extra of [{}, FRAMEWORK]) {
      const send = () =>
        request(app.getHttpServer())
          .post('/v1/events')
          .set({ authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra })
          .send(JSON.stringify(event(`dup-${Object.keys(extra).length}`)));
      expect((await send()).status).toBe(201);
      const again = await send();
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ id: `dup-${Object.keys(extra).length}`, status: 'duplicate' });
    }
  });

  it('leaves requests it would refuse to the framework', async () => {
    const before = guardCalls();
    const wrongKey = await request(app.getHttpServer())
      .post('/v1/events')
      .set({ authorization: 'Bearer not-a-key', 'content-type': 'application/json' })
      .send(JSON.stringify(event('refused')));
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.headers['www-authenticate']).toBe('Bearer');
    const withQuery = await request(app.getHttpServer())
      .post('/v1/events?pretty=1')
      .set({ authorization: `Bearer ${key}`, 'content-type': 'application/json' })
      .send(JSON.stringify(event('queried')));
    expect(withQuery.status).toBe(400);
    expect(JSON.stringify(withQuery.body.errors)).toContain('pretty');
    expect(guardCalls()).toBe(before + 2);
  });

  it('stores the client address behind a trusted proxy as the framework does', async () => {
    for (const [id, extra] of [
      ['ip-lane', {}],
      ['ip-framework', FRAMEWORK],
    ] as const) {
      const stored = await request(app.getHttpServer())
        .post('/v1/events')
        .set({
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'x-forwarded-for': '203.0.113.7',
          ...extra,
        })
        .send(JSON.stringify(event(id)));
      expect(stored.status).toBe(201);
    }
    const documents = await storedDocuments<{ id: string; ingest: { client_ip?: string } }>(
      client,
      setup.indexPrefix,
    );
    const ips = Object.fromEntries(
      documents
        .filter((document) => document.id.startsWith('ip-'))
        .map((document) => [document.id, document.ingest.client_ip]),
    );
    expect(ips).toEqual({ 'ip-lane': '203.0.113.7', 'ip-framework': '203.0.113.7' });
  });
});

describe('ingest lane in the built process: request log and metrics', () => {
  const processSetup = testEnvironment('ingest-lane-process', undefined, { LOG_LEVEL: 'info' });
  let client: Client;
  let ingest: AppProcess;

  beforeAll(async () => {
    client = testClient();
    ingest = await startProcess('ingest', processSetup.env);
  }, 120_000);

  afterAll(async () => {
    await ingest?.kill('SIGTERM');
    await dropPrefix(client, processSetup.indexPrefix);
    await client.close();
  });

  it('logs each request once with its id, and counts it under its route', async () => {
    const ids: string[] = [];
    for (const extra of [{}, FRAMEWORK]) {
      const response = await fetch(`${ingest.url}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${processSetup.keys.any.secret}`,
          'content-type': 'application/json',
          ...extra,
        },
        body: JSON.stringify(event(`log-${Object.keys(extra).length}`)),
      });
      expect(response.status).toBe(201);
      ids.push(response.headers.get('x-request-id') ?? '');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = ingest
      .logs()
      .filter((line) => ids.includes((line.req as { id?: string } | undefined)?.id ?? ''));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: 30,
        app: 'ingest',
        msg: 'request completed',
        req: { method: 'POST', url: '/v1/events' },
        res: { statusCode: 201 },
      });
      expect(typeof line.responseTime).toBe('number');
      expect(JSON.stringify(line)).not.toContain(processSetup.keys.any.secret);
    }
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(
      /auditlog_http_requests_total\{method="POST",route="EventsController.create",status="201",app="ingest"\} 2\n/,
    );
  });
});
