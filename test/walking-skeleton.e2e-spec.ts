import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import {
  dropPrefix,
  ownerToken,
  startApp,
  storedDocuments,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { IngestModule } from '../apps/ingest/src/ingest.module';
import { QueryModule } from '../apps/query/src/query.module';

describe('walking skeleton: ingest to query, per company', () => {
  const setup = testEnvironment('skeleton', [{ id: 'producer', companies: '*' }]);
  const key = setup.keys.producer.secret;
  let ingest: INestApplication;
  let query: INestApplication;
  let client: Client;

  beforeAll(async () => {
    client = testClient();
    ingest = await startApp('ingest', IngestModule, setup.env, { jsonBody: false });
    query = await startApp('query', QueryModule, setup.env);
  });

  afterAll(async () => {
    await ingest?.close();
    await query?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  const event = (companyId: string, id: string) => ({
    id,
    timestamp: new Date().toISOString(),
    company_id: companyId,
    action: 'flow.created',
    actor: { id: 'alice' },
  });

  it('stores an event once and returns it to its own company only', async () => {
    const first = await request(ingest.getHttpServer())
      .post('/v1/events')
      .set('Authorization', `Bearer ${key}`)
      .send(event('acme', 'evt-1'))
      .expect(201);
    expect(first.body).toEqual({ id: 'evt-1', status: 'created' });
    expect(first.headers['x-request-id']).toMatch(/.+/);

    const retry = await request(ingest.getHttpServer())
      .post('/v1/events')
      .set('Authorization', `Bearer ${key}`)
      .send(event('acme', 'evt-1'))
      .expect(200);
    expect(retry.body).toEqual({ id: 'evt-1', status: 'duplicate' });

    const page = await waitFor(async () => {
      // Owners' reads are audited as audit_log.viewed events: look at the producer's only.
      const response = await request(query.getHttpServer())
        .get('/v1/events?action=flow.created')
        .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'acme')}`)
        .expect(200);
      return response.body.data.length > 0 ? response.body : undefined;
    });
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({ id: 'evt-1', company_id: 'acme', action: 'flow.created' });
    expect(page.data[0]).not.toHaveProperty('ingest');
    expect(page.data[0].hash).toMatch(/^[a-f0-9]{64}$/);

    const other = await request(query.getHttpServer())
      .get('/v1/events')
      .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'globex')}`)
      .expect(200);
    expect(other.body.data).toEqual([]);

    await request(query.getHttpServer())
      .get('/v1/events?company_id=acme')
      .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'globex')}`)
      .expect(403);
  });

  it.each([
    ['no key', undefined],
    ['an unknown key', 'x'.repeat(43)],
    ['a malformed header', 'Basic abc'],
  ])('rejects ingest with %s as 401 problem+json', async (_case, header) => {
    const call = request(ingest.getHttpServer()).post('/v1/events').send(event('acme', 'evt-401'));
    if (header) call.set('Authorization', header.startsWith('Basic') ? header : `Bearer ${header}`);
    const response = await call.expect(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status: 401,
      request_id: response.headers['x-request-id'],
    });
  });

  it.each([
    ['no token', undefined],
    ['a token signed with another secret', ownerToken('another-secret-another-secret-123', 'acme')],
    ['an expired token', ownerToken(setup.jwtSecret, 'acme', { expiresIn: -10 })],
  ])('rejects query with %s as 401', async (_case, token) => {
    const call = request(query.getHttpServer()).get('/v1/events');
    if (token) call.set('Authorization', `Bearer ${token}`);
    const response = await call.expect(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('rejects a malformed event with 400 problem+json and stores nothing', async () => {
    const response = await request(ingest.getHttpServer())
      .post('/v1/events')
      .set('Authorization', `Bearer ${key}`)
      .send({
        company_id: 'acme',
        id: 'bad-1',
        timestamp: 'yesterday',
        action: 'Not Dotted',
        actor: {},
      })
      .expect(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const paths = (response.body.errors as Array<{ path: string }>)
      .map((error) => error.path)
      .sort();
    expect(paths).toEqual(['action', 'actor.id', 'timestamp']);

    const stored = await storedDocuments<{ id: string }>(client, setup.indexPrefix);
    expect(stored.map((document) => document.id)).not.toContain('bad-1');
  });

  it('answers health checks and exposes metrics', async () => {
    const ready = await request(ingest.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ opensearch: { status: 'up' } });
    // Ingest does not use Redis, so Redis is no condition of its readiness.
    expect(ready.body.info).not.toHaveProperty('redis');
    const queryReady = await request(query.getHttpServer()).get('/health/ready').expect(200);
    expect(queryReady.body.info).toMatchObject({
      opensearch: { status: 'up' },
      redis: { status: 'up' },
    });
    await request(query.getHttpServer()).get('/health/live').expect(200);
    const metrics = await request(ingest.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toContain('auditlog_http_requests_total');
  });
});
