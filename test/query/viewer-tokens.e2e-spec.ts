import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { ViewerSessions, VIEWER_SESSION_TYP } from '@auditlog/auth';
import { loadConfig } from '@auditlog/config';
import type { StoredEvent } from '@auditlog/events';
import {
  adminToken,
  dropPrefix,
  keyLine,
  newSecret,
  ownerToken,
  startApp,
  storedDocuments,
  testClient,
  testEnvironment,
  waitFor,
  firstOf,
} from '@auditlog/testing';
import { QueryModule } from '../../apps/query/src/query.module';
import { seedEvents, type SeedEvent } from './seed';

const now = Date.now();
const since = new Date(now - 3_600_000).toISOString();
const PROBLEM = 'https://auditlog.dev/problems/';

/** An event of `company` on an environment under `project`. */
function underProject(company: string, project: string, index: number): SeedEvent {
  return {
    id: `${company}-${project}-${index}`,
    company_id: company,
    timestamp: new Date(now - 60_000 - index * 1000).toISOString(),
    action: index % 2 === 0 ? 'flow.created' : 'auth.login',
    target: {
      type: 'environment',
      id: `env-${project}-${index}`,
      ancestors: [{ type: 'project', id: project }],
    },
  };
}

const acmeP1 = Array.from({ length: 6 }, (_, index) => underProject('acme', 'p1', index));
const acmeP2 = Array.from({ length: 4 }, (_, index) => underProject('acme', 'p2', index + 10));
const globexP1 = Array.from({ length: 3 }, (_, index) => underProject('globex', 'p1', index + 20));
const ids = (events: Array<{ id: string }>) => events.map((event) => event.id).sort();

describe('viewer tokens and viewer sessions (query API)', () => {
  const hostKey = newSecret();
  const setup = testEnvironment('viewer-tokens', undefined, {
    VIEWER_TOKEN_KEYS: keyLine({ id: 'host', secret: hostKey, companies: ['acme'] }),
  });
  const admin = adminToken(setup.jwtSecret);
  const owner = ownerToken(setup.jwtSecret, 'acme');
  let client: Client;
  let redis: Redis;
  let app: INestApplication;
  const others: INestApplication[] = [];

  /** `null`: no Authorization header at all. */
  const mint = (body: unknown, bearer: string | null = admin) => {
    const post = request(app.getHttpServer())
      .post('/v1/viewer-tokens')
      .send(body as object);
    return bearer === null ? post : post.set('authorization', `Bearer ${bearer}`);
  };
  const exchange = (token: unknown) =>
    request(app.getHttpServer()).post('/v1/viewer-sessions').send({ token });
  const get = (path: string, bearer: string, query: Record<string, unknown> = {}) =>
    request(app.getHttpServer()).get(path).query(query).set('authorization', `Bearer ${bearer}`);
  const grantKeys = async () => (await redis.keys(`${setup.indexPrefix}:viewer-token:*`)).sort();

  /** Mints with `body` and exchanges at once: the session answer. */
  async function session(body: Record<string, unknown>) {
    const minted = await mint(body);
    expect(minted.status).toBe(201);
    const exchanged = await exchange(minted.body.token);
    expect(exchanged.status).toBe(201);
    return exchanged.body as {
      session_token: string;
      expires_at: string;
      subject: string;
      company_id: string;
      permissions: string[];
      filters: Record<string, unknown>;
    };
  }

  beforeAll(async () => {
    client = testClient();
    redis = new Redis(setup.env.REDIS_URL as string, { lazyConnect: true });
    await redis.connect();
    // The app puts the index template in place before events are seeded.
    app = await startApp('query', QueryModule, setup.env);
    await seedEvents(client, setup.indexPrefix, [...acmeP1, ...acmeP2, ...globexP1]);
  }, 120_000);

  afterAll(async () => {
    for (const started of [app, ...others]) await started?.close();
    const keys = await redis.keys(`${setup.indexPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  describe('POST /v1/viewer-tokens', () => {
    it('mints for an installation admin: 201, an opaque token in the fragment of the url, a TTL in Redis', async () => {
      const before = Date.now();
      const response = await mint({ company_id: 'acme', subject: 'host-user-1' });
      expect(response.status).toBe(201);
      const token = response.body.token as string;
      expect(token).toMatch(/^vt_[A-Za-z0-9_-]{43}$/);
      expect(response.body.url).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:\\d+/console/#viewer_token=${token}$`),
      );
      // Default TTL 900 s, in whole seconds.
      const expires = Date.parse(response.body.expires_at as string);
      expect(expires % 1000).toBe(0);
      expect(expires).toBeGreaterThan(before + 898_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 900_000);
      const key = `${setup.indexPrefix}:viewer-token:${createHash('sha256').update(token).digest('hex')}`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(890_000);
      expect(ttl).toBeLessThanOrEqual(900_000);
      // The token itself is never stored, only its hash.
      expect(JSON.stringify(await redis.get(key))).not.toContain(token);
    });

    it('caps the TTL at 3600 s', async () => {
      const response = await mint({ company_id: 'acme', subject: 'u', ttl_seconds: 3600 });
      expect(response.status).toBe(201);
      const expires = Date.parse(response.body.expires_at as string);
      expect(expires).toBeGreaterThan(Date.now() + 3_590_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);
    });

    it('mints with a viewer-token key for its companies only', async () => {
      const own = await mint({ company_id: 'acme', subject: 'u' }, hostKey);
      expect(own.status).toBe(201);
      const other = await mint({ company_id: 'globex', subject: 'u' }, hostKey);
      expect(other.status).toBe(403);
      expect(other.headers['content-type']).toContain('application/problem+json');
      expect(other.body.detail).toContain('may not mint for company "globex"');
    });

    it.each<[string, number, () => string | null]>([
      ['no bearer', 401, () => null],
      ['an unknown key', 401, () => newSecret()],
      ['a company owner JWT', 403, () => owner],
    ])('refuses %s (%i) and stores nothing', async (_case, status, bearer) => {
      const before = await grantKeys();
      const response = await mint({ company_id: 'acme', subject: 'u' }, bearer());
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      if (status === 401) expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(await grantKeys()).toEqual(before);
    });

    it('refuses a viewer session as the minter (a viewer cannot mint a wider viewer)', async () => {
      const viewer = await session({ company_id: 'acme', subject: 'v', permissions: ['view'] });
      const response = await mint({ company_id: 'acme', subject: 'wider' }, viewer.session_token);
      expect(response.status).toBe(403);
    });

    const valid = { company_id: 'acme', subject: 'host-user-1' };
    it.each<[string, unknown, string[]]>([
      ['an unknown field', { ...valid, role: 'company_owner' }, ['role']],
      ['ttl_seconds 0', { ...valid, ttl_seconds: 0 }, ['ttl_seconds']],
      ['ttl_seconds 3601', { ...valid, ttl_seconds: 3601 }, ['ttl_seconds']],
      ['a bad permission', { ...valid, permissions: ['view', 'admin'] }, ['permissions[1]']],
      ['empty permissions', { ...valid, permissions: [] }, ['permissions']],
      ['an admin role', { ...valid, roles: ['installation_admin'] }, ['roles[0]']],
      ['a bad filter value', { ...valid, filters: { ancestor: 'project' } }, ['filters.ancestor']],
      ['an unknown filter', { ...valid, filters: { nope: 'x' } }, ['filters.nope']],
      ['a time window filter', { ...valid, filters: { from: since } }, ['filters.from']],
      [
        'paging as a filter',
        { ...valid, filters: { limit: '5', cursor: 'x' } },
        ['filters.limit', 'filters.cursor'],
      ],
      ['free text as a filter', { ...valid, filters: { q: 'deploy' } }, ['filters.q']],
      ['a missing subject', { company_id: 'acme' }, ['subject']],
      ['a missing company', { subject: 'u' }, ['company_id']],
      ['a subject of 257 characters', { ...valid, subject: 's'.repeat(257) }, ['subject']],
    ])('rejects %s: 400 naming %j, stores nothing', async (_case, body, paths) => {
      const before = await grantKeys();
      const response = await mint(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.type).toBe(`${PROBLEM}validation-failed`);
      expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(paths);
      expect(await grantKeys()).toEqual(before);
    });
  });

  describe('POST /v1/viewer-sessions', () => {
    it('exchanges a token once for a viewer session JWT; a second use is 401 viewer-token-invalid', async () => {
      const minted = await mint({
        company_id: 'acme',
        subject: 'host-user-2',
        filters: { ancestor: 'project:p1' },
        permissions: ['view', 'export'],
        ttl_seconds: 600,
      });
      const first = await exchange(minted.body.token);
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        session_token: expect.any(String),
        expires_at: minted.body.expires_at,
        subject: 'host-user-2',
        company_id: 'acme',
        roles: ['company_owner'],
        permissions: ['view', 'export'],
        filters: { ancestor: 'project:p1' },
      });
      const decoded = jwt.decode(first.body.session_token as string, { complete: true });
      expect(decoded?.header).toMatchObject({ alg: 'HS256', typ: VIEWER_SESSION_TYP });
      expect(decoded?.payload).toMatchObject({
        typ: VIEWER_SESSION_TYP,
        sub: 'host-user-2',
        company_id: 'acme',
        perms: ['view', 'export'],
        flt: { ancestor: 'project:p1' },
        jti: expect.stringMatching(/^vtk_/),
        exp: Date.parse(minted.body.expires_at as string) / 1000,
      });

      const second = await exchange(minted.body.token);
      expect(second.status).toBe(401);
      expect(second.headers['content-type']).toContain('application/problem+json');
      expect(second.body).toMatchObject({
        type: `${PROBLEM}viewer-token-invalid`,
        title: 'Sign-in link expired or already used',
        status: 401,
      });
      expect(second.body.detail).toContain('Ask the application that sent you here for a new link');
    });

    it('answers the same 401 for an unknown or malformed token, 400 without one', async () => {
      for (const token of [`vt_${'A'.repeat(43)}`, 'not-a-token']) {
        const response = await exchange(token);
        expect(response.status).toBe(401);
        expect(response.body.type).toBe(`${PROBLEM}viewer-token-invalid`);
      }
      const missing = await request(app.getHttpServer()).post('/v1/viewer-sessions').send({});
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([{ path: 'token', message: expect.any(String) }]);
      const extra = await request(app.getHttpServer())
        .post('/v1/viewer-sessions')
        .send({ token: 'x', ttl_seconds: 5 });
      expect(extra.status).toBe(400);
      expect(extra.body.errors.map((error: { path: string }) => error.path)).toEqual([
        'ttl_seconds',
      ]);
    });

    it('refuses an expired token with 401 viewer-token-invalid', async () => {
      const minted = await mint({ company_id: 'acme', subject: 'u', ttl_seconds: 1 });
      expect(minted.status).toBe(201);
      const key = `${setup.indexPrefix}:viewer-token:${createHash('sha256')
        .update(minted.body.token as string)
        .digest('hex')}`;
      expect(await redis.exists(key)).toBe(1);
      await waitFor(async () => (await redis.exists(key)) === 0, {
        timeoutMs: 5000,
        intervalMs: 50,
      });
      const response = await exchange(minted.body.token);
      expect(response.status).toBe(401);
      expect(response.body.type).toBe(`${PROBLEM}viewer-token-invalid`);
    });
  });

  describe('a viewer session with fixed filters ancestor=project:p1', () => {
    let viewer: Awaited<ReturnType<typeof session>>;
    const subject = 'host-user-p1';

    beforeAll(async () => {
      viewer = await session({
        company_id: 'acme',
        subject,
        filters: { ancestor: 'project:p1' },
        permissions: ['view'],
      });
    });

    const list = async (query: Record<string, unknown>, bearer = viewer.session_token) => {
      const response = await get('/v1/events', bearer, { from: since, ...query });
      expect(response.status).toBe(200);
      return response.body as {
        data: StoredEvent[];
        next_cursor: string | null;
        total: { value: number };
      };
    };

    it('GET /v1/session tells who the viewer is', async () => {
      const response = await get('/v1/session', viewer.session_token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        subject,
        company_id: 'acme',
        roles: ['company_owner'],
        permissions: ['view'],
        filters: { ancestor: 'project:p1' },
        expires_at: viewer.expires_at,
        via: 'viewer',
      });
      const jwtSession = await get('/v1/session', owner);
      expect(jwtSession.body).toMatchObject({
        subject: 'owner@acme',
        company_id: 'acme',
        permissions: ['view', 'export', 'tail'],
        filters: {},
        via: 'jwt',
      });
    });

    it('lists only events inside the fixed filters', async () => {
      const page = await list({});
      expect(ids(page.data)).toEqual(ids(acmeP1));
      expect(page.total.value).toBe(acmeP1.length);
      // The owner sees the whole company.
      expect(ids((await list({}, owner)).data)).toEqual(ids([...acmeP1, ...acmeP2]));
    });

    it('cannot be widened by query parameters', async () => {
      expect((await list({ ancestor: 'project:p2' })).data).toEqual([]);
      expect(ids((await list({ ancestor: ['project:p1', 'project:p2'] })).data)).toEqual(
        ids(acmeP1),
      );
      expect(ids((await list({ ancestor: 'project:p1,project:p2' })).data)).toEqual(ids(acmeP1));
      // Narrowing still works.
      expect(ids((await list({ action: 'flow.created' })).data)).toEqual(
        ids(acmeP1.filter((event) => event.action === 'flow.created')),
      );
    });

    it('cannot be widened by a cursor, not even one from an unrestricted search', async () => {
      const seen: StoredEvent[] = [];
      let page = await list({ limit: '2' });
      seen.push(...page.data);
      while (page.next_cursor) {
        page = await list({ limit: '2', cursor: page.next_cursor });
        seen.push(...page.data);
      }
      expect(ids(seen)).toEqual(ids(acmeP1));
      // The owner's cursor binds the same company and parameters; the viewer's filters still apply.
      const ownerPage = await list({ limit: '2' }, owner);
      expect(ownerPage.next_cursor).not.toBeNull();
      const continued = await list({ limit: '20', cursor: ownerPage.next_cursor });
      expect(continued.data.length).toBeGreaterThan(0);
      expect(ids(continued.data).every((id) => id.startsWith('acme-p1-'))).toBe(true);
    });

    it('answers 404 for the detail of an event outside the fixed filters', async () => {
      const inside = await get(`/v1/events/${firstOf(acmeP1).id}`, viewer.session_token);
      expect(inside.status).toBe(200);
      expect(inside.body.id).toBe(firstOf(acmeP1).id);
      for (const id of [firstOf(acmeP2).id, firstOf(globexP1).id]) {
        const outside = await get(`/v1/events/${id}`, viewer.session_token);
        expect(outside.status).toBe(404);
        expect(outside.headers['content-type']).toContain('application/problem+json');
      }
      expect((await get(`/v1/events/${firstOf(acmeP2).id}`, owner)).status).toBe(200);
    });

    it('counts only inside the fixed filters in histogram and facets', async () => {
      const histogram = await get('/v1/events/histogram', viewer.session_token, {
        from: since,
        ancestor: ['project:p1', 'project:p2'],
      });
      expect(histogram.status).toBe(200);
      expect(histogram.body.total).toBe(acmeP1.length);
      const bucketed = (histogram.body.buckets as Array<{ count: number }>).reduce(
        (sum, bucket) => sum + bucket.count,
        0,
      );
      expect(bucketed).toBe(acmeP1.length);
      const facets = await get('/v1/events/facets', viewer.session_token, {
        from: since,
        field: 'target_id',
        size: '50',
      });
      expect(facets.status).toBe(200);
      expect(
        (facets.body.values as Array<{ value: string }>).map((value) => value.value).sort(),
      ).toEqual(acmeP1.map((event) => event.target?.id).sort());
    });

    it('may not read integrity verification or digests (they cover the whole company)', async () => {
      for (const path of ['/v1/integrity/verify', '/v1/integrity/digests']) {
        const response = await get(path, viewer.session_token);
        expect(response.status).toBe(403);
        expect(response.body.detail).toContain('covers a whole company');
      }
    });

    it('cannot choose another company', async () => {
      const response = await get('/v1/events', viewer.session_token, { company_id: 'globex' });
      expect(response.status).toBe(403);
    });

    it('records audit_log.viewed with the subject as actor and via viewer_token', async () => {
      await list({ action: 'auth.login' });
      const tokenId = (jwt.decode(viewer.session_token) as { jti: string }).jti;
      const audit = await waitFor(
        async () => {
          const docs = await storedDocuments<StoredEvent>(client, setup.indexPrefix);
          return docs.find(
            (doc) =>
              doc.action === 'audit_log.viewed' &&
              doc.actor.id === subject &&
              (doc.details as { filters?: { action?: string } }).filters?.action === 'auth.login',
          );
        },
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect(audit.company_id).toBe('acme');
      expect(audit.details).toMatchObject({
        kind: 'search',
        via: 'viewer_token',
        viewer_token_id: tokenId,
        fixed_filters: { ancestor: 'project:p1' },
      });
    });
  });

  describe('viewer session tokens in the JWT guard', () => {
    const config = () => loadConfig('query', setup.env);
    const grant = (expiresAt: string) => ({
      id: 'vtk_test',
      companyId: 'acme',
      subject: 'forged',
      roles: ['company_owner'] as ['company_owner'],
      permissions: ['view' as const],
      filters: {},
      expiresAt,
    });

    it.each<[string, () => string]>([
      [
        'signed with another key',
        () =>
          new ViewerSessions(
            loadConfig('query', { ...setup.env, AUTH_JWT_SECRET: newSecret() }),
          ).sign(grant(new Date(Date.now() + 60_000).toISOString())),
      ],
      [
        'expired',
        () => new ViewerSessions(config()).sign(grant(new Date(Date.now() - 5_000).toISOString())),
      ],
      [
        'with its fixed filters removed',
        () => {
          const genuine = new ViewerSessions(config()).sign({
            ...grant(new Date(Date.now() + 60_000).toISOString()),
            filters: { ancestor: 'project:p1' },
          });
          const [header, payload = '', signature] = genuine.split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object;
          const forged = Buffer.from(JSON.stringify({ ...claims, flt: {} })).toString('base64url');
          return `${header}.${forged}.${signature}`;
        },
      ],
      [
        'signed with AUTH_JWT_SECRET itself',
        () =>
          jwt.sign(
            {
              typ: VIEWER_SESSION_TYP,
              sub: 'x',
              company_id: 'acme',
              roles: ['company_owner'],
              perms: ['view'],
              flt: {},
              jti: 'j',
            },
            setup.jwtSecret,
            {
              algorithm: 'HS256',
              expiresIn: 60,
              header: { alg: 'HS256', typ: VIEWER_SESSION_TYP },
            },
          ),
      ],
    ])('refuses a viewer session %s with 401 and WWW-Authenticate', async (_case, token) => {
      const response = await get('/v1/events', token());
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body.type).toBe(`${PROBLEM}unauthenticated`);
    });

    it('accepts a genuine one', async () => {
      const token = new ViewerSessions(config()).sign(
        grant(new Date(Date.now() + 60_000).toISOString()),
      );
      expect((await get('/v1/events', token)).status).toBe(200);
    });
  });

  describe('a viewer session of company B', () => {
    it('never sees company A events, whatever it asks', async () => {
      const globex = await session({ company_id: 'globex', subject: 'g-viewer' });
      const response = await get('/v1/events', globex.session_token, { from: since });
      expect(response.status).toBe(200);
      expect(ids(response.body.data as StoredEvent[])).toEqual(ids(globexP1));
      expect((await get(`/v1/events/${firstOf(acmeP1).id}`, globex.session_token)).status).toBe(
        404,
      );
      const facets = await get('/v1/events/facets', globex.session_token, {
        from: since,
        field: 'target_id',
        size: '50',
      });
      expect((facets.body.values as unknown[]).length).toBe(globexP1.length);
    });
  });

  describe('settings', () => {
    it('builds the url from CONSOLE_PUBLIC_URL when set', async () => {
      const other = await startApp('query', QueryModule, {
        ...setup.env,
        CONSOLE_PUBLIC_URL: 'https://audit.example.com/base/',
      });
      others.push(other);
      const response = await request(other.getHttpServer())
        .post('/v1/viewer-tokens')
        .set('authorization', `Bearer ${hostKey}`)
        .send({ company_id: 'acme', subject: 'u' });
      expect(response.status).toBe(201);
      expect(response.body.url).toBe(
        `https://audit.example.com/base/console/#viewer_token=${response.body.token}`,
      );
    });

    it('answers 503 viewer-sessions-not-configured without any HS256 secret (JWKS mode)', async () => {
      const other = await startApp('query', QueryModule, {
        ...setup.env,
        AUTH_JWT_SECRET: '',
        AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
        VIEWER_TOKEN_KEYS: '',
      });
      others.push(other);
      const response = await request(other.getHttpServer())
        .post('/v1/viewer-sessions')
        .send({ token: `vt_${'A'.repeat(43)}` });
      expect(response.status).toBe(503);
      expect(response.body.type).toBe(`${PROBLEM}viewer-sessions-not-configured`);
    });
  });
});
