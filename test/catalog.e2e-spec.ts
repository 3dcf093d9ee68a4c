import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  adminToken,
  dropPrefix,
  ownerToken,
  startApp,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { IndexNames } from '@auditlog/opensearch';
import { IngestModule } from '../apps/ingest/src/ingest.module';
import { QueryModule } from '../apps/query/src/query.module';
import { seedEvents, type SeedEvent } from './query/seed';

const DAY = 86_400_000;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

interface CatalogRow {
  action: string;
  label: string | null;
  registered: boolean;
  count: number;
}

describe('action catalog', () => {
  const setup = testEnvironment('catalog', [
    { id: 'producer', companies: '*' },
    { id: 'acme-writer', companies: ['acme'] },
  ]);
  const names = new IndexNames(setup.indexPrefix);
  const producer = setup.keys.producer.secret;
  const acmeWriter = setup.keys['acme-writer'].secret;
  const acmeOwner = ownerToken(setup.jwtSecret, 'acme');
  const globexOwner = ownerToken(setup.jwtSecret, 'globex');
  const admin = adminToken(setup.jwtSecret);
  let client: Client;
  let ingest: INestApplication;
  let query: INestApplication;

  const put = (action: string, body: object, key = producer) =>
    request(ingest.getHttpServer())
      .put(`/v1/catalog/actions/${action}`)
      .set('Authorization', `Bearer ${key}`)
      .send(body);
  const catalogOf = (token: string, query_: Record<string, string> = {}) =>
    request(query.getHttpServer())
      .get('/v1/catalog')
      .query(query_)
      .set('Authorization', `Bearer ${token}`);
  const rows = (body: { actions: CatalogRow[] }) =>
    body.actions.map(({ action, registered, count }) => [action, registered, count]);
  /** The catalog as stored in OpenSearch: document ids. */
  const storedActions = async (): Promise<string[]> => {
    await client.indices.refresh({ index: names.catalogAlias });
    const { body } = await client.search({
      index: names.catalogAlias,
      body: { size: 100, query: { match_all: {} } },
    });
    return (body.hits.hits as Array<{ _id: string }>).map((hit) => hit._id).sort();
  };

  beforeAll(async () => {
    client = testClient();
    ingest = await startApp('ingest', IngestModule, setup.env);
    query = await startApp('query', QueryModule, setup.env);
    const acme: SeedEvent[] = [1, 2, 3].map((n) => ({
      id: `acme-flow-${n}`,
      company_id: 'acme',
      timestamp: ago(n * DAY),
      action: 'flow.created',
    }));
    const globex: SeedEvent[] = [
      { id: 'globex-flow-1', company_id: 'globex', timestamp: ago(DAY), action: 'flow.created' },
      ...[1, 2].map((n) => ({
        id: `globex-invoice-${n}`,
        company_id: 'globex',
        timestamp: ago(n * DAY),
        action: 'billing.invoice_paid',
      })),
    ];
    // Older than the 30-day window: neither counted nor listed as seen.
    const old: SeedEvent = {
      id: 'acme-old',
      company_id: 'acme',
      timestamp: ago(40 * DAY),
      action: 'flow.archived',
    };
    await seedEvents(client, setup.indexPrefix, [...acme, ...globex, old]);
  });

  afterAll(async () => {
    await ingest?.close();
    await query?.close();
    // Viewer grants are consumed when exchanged; remove whatever else the suite left.
    const redis = new Redis(setup.env.REDIS_URL as string);
    const keys = await redis.keys(`${setup.indexPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('registers an action and answers the stored entry', async () => {
    const response = await put('flow.created', {
      label: 'Flow created',
      description: 'A flow was created.',
      operation: 'create',
      template: '{actor.name} created flow {target.name}',
    }).expect(200);
    expect(response.body).toEqual({
      action: 'flow.created',
      label: 'Flow created',
      description: 'A flow was created.',
      category: 'flow',
      operation: 'create',
      template: '{actor.name} created flow {target.name}',
      updated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updated_by: 'producer',
    });
    const { body: stored } = await client.get({ index: names.catalogAlias, id: 'flow.created' });
    expect(stored._source).toEqual(response.body);
  });

  it('updates an entry in place (a PUT replaces it; the same PUT again is idempotent)', async () => {
    const entry = { label: 'Flow created (v2)', category: 'flows' };
    const first = await put('flow.created', entry, acmeWriter).expect(200);
    expect(first.body).toMatchObject({
      action: 'flow.created',
      label: 'Flow created (v2)',
      category: 'flows',
      // Fields the new PUT omits are cleared, not merged.
      description: null,
      operation: null,
      template: null,
      updated_by: 'acme-writer',
    });
    const again = await put('flow.created', entry, acmeWriter).expect(200);
    const { updated_at: _first, ...firstFields } = first.body as Record<string, unknown>;
    const { updated_at: _again, ...againFields } = again.body as Record<string, unknown>;
    expect(againFields).toEqual(firstFields);
    expect(await storedActions()).toEqual(['flow.created']);
    const { body: stored } = await client.get({ index: names.catalogAlias, id: 'flow.created' });
    expect(stored._source).toMatchObject({ label: 'Flow created (v2)', updated_by: 'acme-writer' });
  });

  describe('rejects bad entries and stores nothing', () => {
    const valid = { label: 'Rejected' };
    const cases: Array<{
      name: string;
      action?: string;
      body?: object;
      raw?: { text: string; type: string };
      key?: string | null;
      status: number;
      path?: string;
      message?: RegExp;
    }> = [
      { name: 'uppercase action', action: 'Rejected.Action', status: 400, path: 'action' },
      { name: 'action without a dot', action: 'rejected', status: 400, path: 'action' },
      {
        name: 'action too long',
        action: `rejected.${'a'.repeat(128)}`,
        status: 400,
        path: 'action',
      },
      { name: 'missing label', body: { description: 'x' }, status: 400, path: 'label' },
      { name: 'blank label', body: { label: '   ' }, status: 400, path: 'label' },
      { name: 'label too long', body: { label: 'x'.repeat(121) }, status: 400, path: 'label' },
      {
        name: 'description too long',
        body: { ...valid, description: 'd'.repeat(1025) },
        status: 400,
        path: 'description',
      },
      {
        name: 'unknown field',
        body: { ...valid, colour: 'red' },
        status: 400,
        path: 'colour',
        message: /unknown field "colour"/,
      },
      {
        name: 'bad operation',
        body: { ...valid, operation: 'destroy' },
        status: 400,
        path: 'operation',
      },
      {
        name: 'bad category',
        body: { ...valid, category: 'Flows!' },
        status: 400,
        path: 'category',
      },
      {
        name: 'unknown template placeholder',
        body: { ...valid, template: '{actor.name} read {details.secret}' },
        status: 400,
        path: 'template',
        message: /unknown placeholder \{details\.secret\}/,
      },
      {
        name: 'template too long',
        body: { ...valid, template: 't'.repeat(257) },
        status: 400,
        path: 'template',
      },
      { name: 'an array body', body: [valid], status: 400, path: '' },
      {
        name: 'malformed JSON',
        raw: { text: '{"label":', type: 'application/json' },
        status: 400,
      },
      {
        name: 'not JSON',
        raw: { text: 'label=x', type: 'application/x-www-form-urlencoded' },
        status: 415,
      },
      {
        name: 'a body over 16 KiB',
        body: { ...valid, description: 'd'.repeat(17 * 1024) },
        status: 413,
      },
      { name: 'no ingest key', key: null, status: 401 },
      { name: 'an invalid ingest key', key: 'not-a-key-of-this-installation-000000', status: 401 },
    ];

    it.each(cases)('$name: $status', async (entry) => {
      const action = entry.action ?? 'rejected.action';
      const key = entry.key === null ? undefined : (entry.key ?? producer);
      const call = request(ingest.getHttpServer()).put(`/v1/catalog/actions/${action}`);
      if (key !== undefined) call.set('Authorization', `Bearer ${key}`);
      const response = entry.raw
        ? await call.set('Content-Type', entry.raw.type).send(entry.raw.text)
        : await call.send(entry.body ?? valid);
      expect(response.status).toBe(entry.status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      if (entry.path !== undefined) {
        const errors = (response.body as { errors: Array<{ path: string; message: string }> })
          .errors;
        const error = errors.find((each) => each.path === entry.path);
        expect(error).toBeDefined();
        if (entry.message) expect(error?.message).toMatch(entry.message);
      }
    });

    it('stored none of them', async () => {
      expect(await storedActions()).toEqual(['flow.created']);
    });
  });

  describe('GET /v1/catalog', () => {
    beforeAll(async () => {
      await put('report.exported', { label: 'Report exported', operation: 'read' }).expect(200);
      // One event through the ingest API, searchable within the refresh interval.
      await request(ingest.getHttpServer())
        .post('/v1/events')
        .set('Authorization', `Bearer ${producer}`)
        .send({ company_id: 'acme', action: 'auth.login', actor: { id: 'alice' } })
        .expect(201);
    });

    it("lists registered actions and the company's recent ones with its own counts", async () => {
      const body = await waitFor(async () => {
        const response = await catalogOf(acmeOwner).expect(200);
        const list = response.body as { actions: CatalogRow[] };
        return list.actions.some((row) => row.action === 'auth.login') ? list : undefined;
      });
      // globex's flow.created is not counted; its billing.invoice_paid is not seen for acme;
      // acme's flow.archived is older than 30 days.
      expect(rows(body)).toEqual([
        ['flow.created', true, 3],
        ['auth.login', false, 1],
        ['report.exported', true, 0],
      ]);
      expect(body.actions[0]).toEqual({
        action: 'flow.created',
        label: 'Flow created (v2)',
        description: null,
        category: 'flows',
        operation: null,
        template: null,
        registered: true,
        count: 3,
      });
      expect(body.actions[1]).toEqual({
        action: 'auth.login',
        label: null,
        description: null,
        category: 'auth',
        operation: null,
        template: null,
        registered: false,
        count: 1,
      });
    });

    it('shows another company its own counts, also to an admin who names it', async () => {
      const expected = [
        ['billing.invoice_paid', false, 2],
        ['flow.created', true, 1],
        ['report.exported', true, 0],
      ];
      expect(rows((await catalogOf(globexOwner).expect(200)).body)).toEqual(expected);
      expect(rows((await catalogOf(admin, { company_id: 'globex' }).expect(200)).body)).toEqual(
        expected,
      );
    });

    /** A viewer session of acme, minted by the admin and exchanged at once. */
    const viewerSession = async (body: Record<string, unknown>): Promise<string> => {
      const minted = await request(query.getHttpServer())
        .post('/v1/viewer-tokens')
        .set('Authorization', `Bearer ${admin}`)
        .send({ company_id: 'acme', subject: 'host-user-1', ...body })
        .expect(201);
      const exchanged = await request(query.getHttpServer())
        .post('/v1/viewer-sessions')
        .send({ token: minted.body.token })
        .expect(201);
      return exchanged.body.session_token as string;
    };

    it("counts only events inside a viewer session's fixed filters", async () => {
      const viewer = await viewerSession({ filters: { action: 'auth.*' } });
      const response = await catalogOf(viewer).expect(200);
      // Registered actions are still listed (the vocabulary is shared), with zero counts.
      expect(rows(response.body)).toEqual([
        ['auth.login', false, 1],
        ['flow.created', true, 0],
        ['report.exported', true, 0],
      ]);
    });

    it('needs the view permission', async () => {
      const exportOnly = await viewerSession({ permissions: ['export'] });
      const response = await catalogOf(exportOnly);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });

    it.each([
      [
        'an owner naming another company',
        () => catalogOf(acmeOwner, { company_id: 'globex' }),
        403,
        undefined,
      ],
      ['an admin naming no company', () => catalogOf(admin), 400, 'company_id'],
      ['an unknown parameter', () => catalogOf(acmeOwner, { since: '7d' }), 400, 'since'],
      ['no token', () => request(query.getHttpServer()).get('/v1/catalog'), 401, undefined],
    ])('refuses %s', async (_name, call, status, path) => {
      const response = await call();
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      if (path) {
        expect((response.body as { errors: Array<{ path: string }> }).errors).toEqual([
          expect.objectContaining({ path }),
        ]);
      }
    });
  });

  describe('GET /v1/admin/companies', () => {
    it('lists companies with recent events or explicit settings, sorted by id', async () => {
      await request(query.getHttpServer())
        .put('/v1/admin/companies/initech')
        .set('Authorization', `Bearer ${admin}`)
        .send({ retention_class: '1y' })
        .expect(200);
      await request(query.getHttpServer())
        .put('/v1/admin/companies/globex')
        .set('Authorization', `Bearer ${admin}`)
        .send({ retention_class: '30d' })
        .expect(200);
      const body = await waitFor(async () => {
        const response = await request(query.getHttpServer())
          .get('/v1/admin/companies')
          .set('Authorization', `Bearer ${admin}`)
          .expect(200);
        const list = response.body as {
          companies: Array<{ company_id: string; events_last_30d: number }>;
        };
        // The auth.login event ingested above makes acme's count 4 once it is searchable.
        const acme = list.companies.find((company) => company.company_id === 'acme');
        return acme?.events_last_30d === 4 ? list : undefined;
      });
      expect(body).toEqual({
        companies: [
          { company_id: 'acme', retention_class: '90d', events_last_30d: 4 },
          { company_id: 'globex', retention_class: '30d', events_last_30d: 3 },
          { company_id: 'initech', retention_class: '1y', events_last_30d: 0 },
        ],
      });
    });

    it('is for installation admins only', async () => {
      const response = await request(query.getHttpServer())
        .get('/v1/admin/companies')
        .set('Authorization', `Bearer ${acmeOwner}`);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });
  });
});
