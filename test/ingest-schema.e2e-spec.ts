import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import { dropPrefix, startApp, testClient, testEnvironment } from '@auditlog/testing';
import { IngestModule } from '../apps/ingest/src/ingest.module';

const setup = testEnvironment('ingest-schema', [{ id: 'any', companies: '*' }]);

describe('GET /v1/schema/event (ingest)', () => {
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

  it('publishes the producer event schema without an ingest key', async () => {
    const response = await request(app.getHttpServer()).get('/v1/schema/event').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(response.headers['x-request-id']).toBeTruthy();
    const schema = JSON.parse(response.text) as Record<string, unknown>;
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['action', 'actor'],
      additionalProperties: false,
      properties: {
        action: { type: 'string', maxLength: 128, pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)+$' },
        outcome: { enum: ['success', 'failure'], default: 'success' },
        changes: { type: 'array', maxItems: 200 },
      },
    });
  });

  it('accepts an event written from the schema and names the field the schema forbids', async () => {
    const server = app.getHttpServer();
    const auth = { authorization: `Bearer ${setup.keys.any.secret}` };
    const event = {
      id: 'schema-1',
      timestamp: new Date().toISOString(),
      company_id: 'acme',
      action: 'flow.created',
      actor: { id: 'alice', type: 'user' },
    };
    await request(server).post('/v1/events').set(auth).send(event).expect(201);
    const rejected = await request(server)
      .post('/v1/events')
      .set(auth)
      .send({ ...event, id: 'schema-2', colour: 'red' })
      .expect(400);
    expect((rejected.body as { errors: Array<{ path: string }> }).errors).toEqual([
      expect.objectContaining({ path: 'colour' }),
    ]);
  });
});
