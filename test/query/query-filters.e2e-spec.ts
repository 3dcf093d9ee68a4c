import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import {
  adminToken,
  dropPrefix,
  hostileQueries,
  mintToken,
  ownerToken,
  startApp,
  testClient,
  testEnvironment,
  waitFor,
  itemAt,
} from '@auditlog/testing';
import { QueryModule } from '../../apps/query/src/query.module';
import { seedEvents, type SeedEvent } from './seed';

const HOUR = 3_600_000;
const now = Date.now();
const t0 = now - 48 * HOUR;
const at = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
const window = {
  from: new Date(now - 72 * HOUR).toISOString(),
  to: new Date(now - 24 * HOUR).toISOString(),
};

const acme: SeedEvent[] = [
  {
    id: 'a1',
    company_id: 'acme',
    timestamp: at(0),
    action: 'flow.created',
    category: 'flow',
    operation: 'create',
    actor: { id: 'alice', type: 'user', name: 'Alice Liddell', email: 'alice@example.com' },
    target: {
      type: 'environment',
      id: 'env-42',
      name: 'Production env',
      ancestors: [{ type: 'project', id: 'p-1', name: 'Payments' }],
    },
    outcome: 'success',
    source: { tool: 'console', ip: '10.1.2.3' },
    context: { task_id: 't-1' },
    description: 'Deployed the payment service',
  },
  {
    id: 'a2',
    company_id: 'acme',
    timestamp: at(HOUR),
    action: 'flow.deleted',
    category: 'flow',
    operation: 'delete',
    actor: { id: 'bob', type: 'agent', email: 'bob@example.com' },
    target: {
      type: 'service',
      id: 'svc-1',
      ancestors: [
        { type: 'project', id: 'p-2' },
        { type: 'environment', id: 'env-7' },
      ],
    },
    outcome: 'failure',
    source: { tool: 'terraform', ip: '2001:db8::5' },
    context: { task_id: 't-2' },
    description: 'Removed the flow',
  },
  {
    id: 'a3',
    company_id: 'acme',
    timestamp: at(-6 * HOUR),
    action: 'auth.login',
    category: 'auth',
    operation: 'login',
    actor: { id: 'carol', type: 'api_token' },
    outcome: 'failure',
    source: { tool: 'sso', ip: '192.168.0.9' },
    context: { agent_id: 'ag-1' },
    description: 'Login attempt',
  },
  {
    id: 'same-id',
    company_id: 'acme',
    timestamp: new Date(now - 240 * HOUR).toISOString(),
    action: 'flow.updated',
    actor: { id: 'dave', type: 'user' },
  },
];

// Globex matches every acme filter below: a filter that ignored the company would leak it.
const globex: SeedEvent[] = [
  {
    ...itemAt(acme, 0),
    id: 'b1',
    company_id: 'globex',
    timestamp: at(30 * 60_000),
    description: 'Deployed the payment service secret-b',
  },
  {
    ...itemAt(acme, 1),
    id: 'b2',
    company_id: 'globex',
    action: 'secret.b_only',
    actor: { id: 'eve', type: 'agent', email: 'eve@globex.example' },
  },
  { ...itemAt(acme, 2), id: 'b3', company_id: 'globex' },
  {
    id: 'same-id',
    company_id: 'globex',
    timestamp: new Date(now - 240 * HOUR).toISOString(),
    action: 'secret.globex',
    actor: { id: 'eve', type: 'user' },
  },
];

describe('query API: filters, search, detail, histogram, facets, tenant isolation', () => {
  const setup = testEnvironment('query-filters');
  const ownerA = ownerToken(setup.jwtSecret, 'acme');
  const ownerB = ownerToken(setup.jwtSecret, 'globex');
  const admin = adminToken(setup.jwtSecret);
  let app: INestApplication;
  let client: Client;

  const get = (path: string, token: string, query: Record<string, unknown> = {}) =>
    request(app.getHttpServer()).get(path).query(query).set('Authorization', `Bearer ${token}`);
  const ids = async (query: Record<string, unknown>, token = ownerA) => {
    const response = await get('/v1/events', token, { ...window, ...query }).expect(200);
    return (response.body.data as Array<{ id: string }>).map((event) => event.id);
  };

  beforeAll(async () => {
    client = testClient();
    app = await startApp('query', QueryModule, setup.env);
    await seedEvents(client, setup.indexPrefix, [...acme, ...globex]);
  });

  afterAll(async () => {
    await app?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('lists the window newest first, without admin-only fields', async () => {
    const response = await get('/v1/events', ownerA, window).expect(200);
    expect(response.body.data.map((event: { id: string }) => event.id)).toEqual(['a2', 'a1', 'a3']);
    expect(response.body.total).toEqual({ value: 3, relation: 'eq' });
    expect(response.body.next_cursor).toBeNull();
    expect(response.body.data[0]).not.toHaveProperty('ingest');
    expect(response.body.data[0]).not.toHaveProperty('scope');
    expect(await ids({ sort: 'asc' })).toEqual(['a3', 'a1', 'a2']);
  });

  it.each([
    [{ action: 'flow.created' }, ['a1']],
    [{ action: 'flow.*' }, ['a2', 'a1']],
    [{ action: ['flow.created', 'auth.login'] }, ['a1', 'a3']],
    [{ action: 'flow.created,auth.login' }, ['a1', 'a3']],
    [{ category: 'auth' }, ['a3']],
    [{ operation: 'delete' }, ['a2']],
    [{ actor_id: 'bob' }, ['a2']],
    [{ actor_email: 'alice@example.com' }, ['a1']],
    [{ actor_type: 'api_token' }, ['a3']],
    [{ actor_type: ['api_token', 'agent'] }, ['a2', 'a3']],
    [{ target_type: 'service' }, ['a2']],
    [{ target_id: 'env-42' }, ['a1']],
    [{ ancestor: 'project:p-1' }, ['a1']],
    [{ ancestor: 'environment:env-7' }, ['a2']],
    [{ ancestor: 'environment:env-42' }, ['a1']],
    [{ outcome: 'failure' }, ['a2', 'a3']],
    [{ source_tool: 'terraform' }, ['a2']],
    [{ source_ip: '10.0.0.0/8' }, ['a1']],
    [{ source_ip: '2001:db8::/32' }, ['a2']],
    [{ source_ip: '192.168.0.9' }, ['a3']],
    [{ 'context.task_id': 't-2' }, ['a2']],
    [{ 'context.agent_id': 'ag-1' }, ['a3']],
    [{ 'context.task_id': ['t-1', 't-2'] }, ['a2', 'a1']],
    [{ outcome: 'failure', operation: 'login' }, ['a3']],
    [{ from: at(-HOUR), to: at(2 * HOUR) }, ['a2', 'a1']],
    [{ from: at(-7 * HOUR), to: at(HOUR) }, ['a1', 'a3']],
  ])('filters %j', async (query, expected) => {
    expect(await ids(query)).toEqual(expected);
  });

  it.each([
    ['payment', ['a1']],
    ['PAYMENT Service', ['a1']],
    ['"the flow"', ['a2']],
    ['"flow the"', []],
    ['carol', ['a3']],
    ['alice@example.com', ['a1']],
    ['Liddell', ['a1']],
    ['Production', ['a1']],
    ['env-42', ['a1']],
    ['-outcome:failure', ['a1']],
    ['action:flow.* -action:flow.deleted', ['a1']],
    ['action:flow.created action:auth.login', ['a1', 'a3']],
    ['actor:bob@example.com', ['a2']],
    ['actor:alice', ['a1']],
    ['target:env-42', ['a1']],
    ['outcome:failure', ['a2', 'a3']],
    ['tool:sso', ['a3']],
    ['category:auth', ['a3']],
    ['operation:create', ['a1']],
    ['secret-b', []],
    ['-payment', ['a2', 'a3']],
  ])('searches q=%s', async (q, expected) => {
    expect(await ids({ q })).toEqual(expected);
  });

  it.each([
    [{ q: 'user:bob' }, 'q', 'unknown qualifier: user'],
    [{ foo: '1', company: 'globex' }, 'foo', 'unknown query parameter: foo'],
    [{ limit: '0' }, 'limit', 'from 1 to 1000'],
    [{ limit: '1001' }, 'limit', 'from 1 to 1000'],
    [{ from: '2020-01-01', to: '2020-02-01' }, 'from', 'at most 366 days'],
    [{ from: new Date(now - 100 * 24 * HOUR).toISOString() }, 'from', 'at most 93 days'],
    [{ source_ip: 'not-an-ip' }, 'source_ip', 'IP address'],
    [{ cursor: 'garbage' }, 'cursor', 'not valid'],
  ])('rejects %j with a 400 naming %s', async (query, path, message) => {
    const response = await get('/v1/events', ownerA, query).expect(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = (response.body.errors as Array<{ path: string; message: string }>).find(
      (error) => error.path === path,
    );
    expect(problem?.message).toContain(message);
  });

  it('pages with a signed cursor bound to company, filters and sort', async () => {
    const first = await get('/v1/events', ownerA, { ...window, limit: 2 }).expect(200);
    expect(first.body.data.map((event: { id: string }) => event.id)).toEqual(['a2', 'a1']);
    const cursor = first.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const second = await get('/v1/events', ownerA, { ...window, limit: 2, cursor }).expect(200);
    expect(second.body.data.map((event: { id: string }) => event.id)).toEqual(['a3']);
    expect(second.body.next_cursor).toBeNull();

    await get('/v1/events', ownerA, { ...window, limit: 2, cursor, sort: 'asc' }).expect(400);
    await get('/v1/events', ownerA, { ...window, limit: 2, cursor, outcome: 'failure' }).expect(
      400,
    );
    await get('/v1/events', ownerA, { limit: 2, cursor }).expect(400);
  });

  describe('tenant isolation: acme owner never gets globex data', () => {
    it('refuses another company_id on every endpoint', async () => {
      for (const path of [
        '/v1/events',
        '/v1/events/histogram',
        '/v1/events/facets?field=action',
        '/v1/events/b1',
      ]) {
        await get(path, ownerA, { company_id: 'globex' }).expect(403);
      }
    });

    it('refuses a cursor issued to globex', async () => {
      const page = await get('/v1/events', ownerB, { ...window, limit: 1 }).expect(200);
      expect(page.body.data[0].company_id).toBe('globex');
      const cursor = page.body.next_cursor as string;
      const response = await get('/v1/events', ownerA, { ...window, limit: 1, cursor }).expect(400);
      expect(JSON.stringify(response.body)).not.toContain('globex');
    });

    it('answers 404 for globex event ids and its own version of a shared id', async () => {
      await get('/v1/events/b1', ownerA).expect(404);
      await get('/v1/events/b2', ownerA).expect(404);
      const shared = await get('/v1/events/same-id', ownerA).expect(200);
      expect(shared.body).toMatchObject({
        id: 'same-id',
        company_id: 'acme',
        action: 'flow.updated',
      });
      expect(shared.body).not.toHaveProperty('ingest');
    });

    it('never matches globex through qualifiers or free text', async () => {
      for (const q of [
        'secret-b',
        'actor:eve',
        'action:secret.*',
        'eve@globex.example',
        'b1',
        'globex',
      ]) {
        const response = await get('/v1/events', ownerA, { ...window, q }).expect(200);
        expect(response.body.data).toEqual([]);
      }
    });

    it('counts only its own events in facets and histograms', async () => {
      const actions = await get('/v1/events/facets', ownerA, { ...window, field: 'action' }).expect(
        200,
      );
      expect(actions.body).toEqual({
        field: 'action',
        values: expect.arrayContaining([
          { value: 'flow.created', count: 1 },
          { value: 'flow.deleted', count: 1 },
          { value: 'auth.login', count: 1 },
        ]),
        other_count: 0,
      });
      expect(actions.body.values).toHaveLength(3);
      const emails = await get('/v1/events/facets', ownerA, {
        ...window,
        field: 'actor_email',
      }).expect(200);
      expect(JSON.stringify(emails.body)).not.toContain('globex');

      const histogram = await get('/v1/events/histogram', ownerA, {
        ...window,
        interval: '1h',
      }).expect(200);
      expect(histogram.body.total).toBe(3);
      const counted = (histogram.body.buckets as Array<{ count: number }>).reduce(
        (sum, bucket) => sum + bucket.count,
        0,
      );
      expect(counted).toBe(3);
      // 48 hours not aligned on the hour touch 49 hourly buckets.
      expect(histogram.body.buckets).toHaveLength(49);
    });
  });

  it('applies the same filters to histogram and facets', async () => {
    const histogram = await get('/v1/events/histogram', ownerA, {
      ...window,
      interval: '1d',
      outcome: 'failure',
    }).expect(200);
    expect(histogram.body.total).toBe(2);
    const facets = await get('/v1/events/facets', ownerA, {
      ...window,
      field: 'outcome',
      action: 'flow.*',
    }).expect(200);
    expect(facets.body.values).toEqual(
      expect.arrayContaining([
        { value: 'success', count: 1 },
        { value: 'failure', count: 1 },
      ]),
    );
  });

  it.each([
    ['/v1/events/histogram', { interval: '1s' }, 'interval'],
    ['/v1/events/histogram', { interval: 'fortnight' }, 'interval'],
    ['/v1/events/facets', { field: 'description' }, 'field'],
    ['/v1/events/facets', {}, 'field'],
    ['/v1/events/facets', { field: 'action', size: '500' }, 'size'],
    ['/v1/events/histogram', { limit: '5' }, 'limit'],
  ])('%s rejects %j', async (path, query, errorPath) => {
    const response = await get(path, ownerA, { ...window, ...query }).expect(400);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(errorPath);
  });

  it('applies configured limits and rejects cursors signed with another secret', async () => {
    const strict = await startApp('query', QueryModule, {
      ...setup.env,
      QUERY_MAX_WINDOW_DAYS: '1',
      QUERY_MAX_LOOKBACK_DAYS: '5',
      QUERY_MAX_HISTOGRAM_BUCKETS: '10',
      QUERY_CURSOR_SECRET: 'another-cursor-secret-another-cursor-secret',
    });
    try {
      const call = (path: string, query: Record<string, unknown>) =>
        request(strict.getHttpServer())
          .get(path)
          .query(query)
          .set('Authorization', `Bearer ${ownerA}`);
      const wide = await call('/v1/events', window).expect(400);
      expect(wide.body.errors[0].message).toContain('at most 1 days');
      const old = await call('/v1/events', {
        from: new Date(now - 6 * 24 * HOUR).toISOString(),
        to: new Date(now - 5.5 * 24 * HOUR).toISOString(),
      }).expect(400);
      expect(old.body.errors[0].message).toContain('at most 5 days');
      await call('/v1/events/histogram', { interval: '1h' }).expect(400);
      await call('/v1/events/histogram', { interval: '3h' }).expect(200);

      const narrow = { from: at(-HOUR), to: at(2 * HOUR), limit: 1 };
      const page = await get('/v1/events', ownerA, narrow).expect(200);
      expect(page.body.next_cursor).toEqual(expect.any(String));
      const foreign = await call('/v1/events', { ...narrow, cursor: page.body.next_cursor }).expect(
        400,
      );
      expect(foreign.body.errors[0]).toMatchObject({ path: 'cursor' });
    } finally {
      await strict.close();
    }
  });

  it('shows admins any company with ingest fields, and asks them to choose one', async () => {
    await get('/v1/events', admin).expect(400);
    expect(await ids({ company_id: 'globex' }, admin)).toEqual(['b2', 'b1', 'b3']);
    const detail = await get('/v1/events/b1', admin, { company_id: 'globex' }).expect(200);
    expect(detail.body.ingest).toEqual({ key_id: 'seed', client_ip: '192.0.2.1' });
    expect(detail.body).not.toHaveProperty('scope');
  });

  it('records owner searches as audit_log.viewed, once per search, in the owner company only', async () => {
    const viewer = mintToken(setup.jwtSecret, {
      sub: 'viewer-1',
      company_id: 'acme',
      roles: ['company_owner'],
    });
    for (let index = 0; index < 3; index++)
      await get('/v1/events', viewer, { actor_id: 'x' }).expect(200);
    await get('/v1/events', viewer, { actor_id: 'y' }).expect(200);
    const viewed = async (company: string) => {
      await client.indices.refresh({ index: `${setup.indexPrefix}-events-*` });
      const response = await get('/v1/events', admin, {
        company_id: company,
        action: 'audit_log.viewed',
        actor_id: 'viewer-1',
      }).expect(200);
      return response.body.data as Array<{ company_id: string }>;
    };
    const events = await waitFor(async () => {
      const found = await viewed('acme');
      return found.length >= 2 ? found : undefined;
    });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      action: 'audit_log.viewed',
      company_id: 'acme',
      actor: { id: 'viewer-1' },
    });
    expect(await viewed('globex')).toEqual([]);
  });

  it('does not record installation admins reads as company events', async () => {
    const adminViewer = mintToken(setup.jwtSecret, {
      sub: 'admin-viewer',
      roles: ['installation_admin'],
    });
    await get('/v1/events', adminViewer, { company_id: 'acme' }).expect(200);
    const laterOwner = mintToken(setup.jwtSecret, {
      sub: 'owner-after-admin',
      company_id: 'acme',
      roles: ['company_owner'],
    });
    await get('/v1/events', laterOwner).expect(200);
    // The owner's later search is stored: once it is visible, the admin's would be too.
    await waitFor(async () => {
      await client.indices.refresh({ index: `${setup.indexPrefix}-events-*` });
      const response = await get('/v1/events', admin, {
        company_id: 'acme',
        actor_id: 'owner-after-admin',
        action: 'audit_log.viewed',
      });
      return response.body.data.length > 0 ? true : undefined;
    });
    const response = await get('/v1/events', admin, {
      company_id: 'acme',
      actor_id: 'admin-viewer',
    }).expect(200);
    expect(response.body.data).toEqual([]);
  });

  it('answers 1,000 hostile q strings without a server error', async () => {
    const statuses = new Map<number, number>();
    // Admin reads are not self-audited, so the run does not write 1,000 view events.
    for (const q of hostileQueries(1000)) {
      const response = await get('/v1/events', admin, {
        company_id: 'acme',
        ...window,
        q,
        limit: 5,
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500)
        throw new Error(`q=${JSON.stringify(q)} answered ${response.status}`);
    }
    expect([...statuses.keys()].every((status) => status === 200 || status === 400)).toBe(true);
    expect(statuses.get(200)).toBeGreaterThan(100);
  }, 300_000);
});
