import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { VIEWER_SESSION_TYP, ViewerSessions } from '@auditlog/auth';
import { loadConfig } from '@auditlog/config';
import { dropPrefix, newSecret, startApp, testClient, testEnvironment } from '@auditlog/testing';
import { ExportModule } from '../apps/export/src/export.module';
import { IngestModule } from '../apps/ingest/src/ingest.module';
import { QueryModule } from '../apps/query/src/query.module';

const ISSUER = 'https://idp.example';
const AUDIENCE = 'auditlog';
const PROBLEM = 'https://auditlog.dev/problems/';

/**
 * Every 401 of every API says how to authenticate (RFC 9110 §11.6.1, docs/query.md): a
 * sweep over each cause of a refused bearer token on each app that takes one.
 */
describe('401 answers carry WWW-Authenticate: Bearer', () => {
  const setup = testEnvironment('auth-401', undefined, {
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });
  const secret = setup.jwtSecret;
  const claims = { sub: 'owner@acme', company_id: 'acme', roles: ['company_owner'] };
  const sign = (options: jwt.SignOptions = {}, key = secret, payload: object = claims) =>
    jwt.sign(payload, key, {
      algorithm: 'HS256',
      expiresIn: '5m',
      issuer: ISSUER,
      audience: AUDIENCE,
      ...options,
    });
  const viewerSession = (expiresAt: Date) =>
    new ViewerSessions(loadConfig('query', setup.env)).sign({
      id: 'vtk_test',
      companyId: 'acme',
      subject: 'viewer',
      roles: ['company_owner'],
      permissions: ['view'],
      filters: {},
      expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString(),
    });

  /** Each cause, as the Authorization header it sends (undefined: none). */
  const jwtCauses: Array<[string, () => string | undefined]> = [
    ['no Authorization header', () => undefined],
    ['a scheme other than Bearer', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a malformed token', () => 'Bearer not.a.jwt'],
    ['a bad signature', () => `Bearer ${sign({}, newSecret())}`],
    ['an expired token', () => `Bearer ${sign({ expiresIn: -60 })}`],
    [
      'a token without exp',
      () =>
        `Bearer ${jwt.sign(claims, secret, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE })}`,
    ],
    ['a wrong issuer', () => `Bearer ${sign({ issuer: 'https://other.example' })}`],
    ['a wrong audience', () => `Bearer ${sign({ audience: 'someone-else' })}`],
    [
      'alg none',
      () =>
        `Bearer ${jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 }, '', { algorithm: 'none' })}`,
    ],
    ['an expired viewer session', () => `Bearer ${viewerSession(new Date(Date.now() - 5_000))}`],
    [
      'a viewer session signed with another key',
      () =>
        `Bearer ${jwt.sign(
          {
            typ: VIEWER_SESSION_TYP,
            sub: 'x',
            company_id: 'acme',
            roles: ['company_owner'],
            perms: ['view'],
            flt: {},
            jti: 'j',
          },
          newSecret(),
          { algorithm: 'HS256', expiresIn: 60, header: { alg: 'HS256', typ: VIEWER_SESSION_TYP } },
        )}`,
    ],
  ];

  const apps: Record<'query' | 'export' | 'ingest', INestApplication | undefined> = {
    query: undefined,
    export: undefined,
    ingest: undefined,
  };

  beforeAll(async () => {
    apps.query = await startApp('query', QueryModule, setup.env);
    apps.export = await startApp('export', ExportModule, setup.env);
    apps.ingest = await startApp('ingest', IngestModule, setup.env);
  });

  afterAll(async () => {
    for (const app of Object.values(apps)) await app?.close();
    const client = testClient();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  function expectBearerChallenge(response: request.Response): void {
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  }

  describe.each<['query' | 'export', string]>([
    ['query', '/v1/events'],
    ['query', '/v1/session'],
    ['export', '/v1/exports'],
  ])('%s GET %s', (app, path) => {
    it.each(jwtCauses)('refuses %s with 401 and the challenge', async (_cause, header) => {
      const call = request(apps[app]!.getHttpServer()).get(path);
      const value = header();
      const response = await (value === undefined ? call : call.set('authorization', value));
      expectBearerChallenge(response);
      expect(response.body.type).toBe(`${PROBLEM}unauthenticated`);
    });
  });

  it('answers a genuine token 200 (the sweep above is about the tokens, not the route)', async () => {
    const response = await request(apps.query!.getHttpServer())
      .get('/v1/session')
      .set('authorization', `Bearer ${sign()}`);
    expect(response.status).toBe(200);
  });

  it('refuses an expired or used viewer token at the session exchange with the challenge', async () => {
    const response = await request(apps.query!.getHttpServer())
      .post('/v1/viewer-sessions')
      .send({ token: `vt_${'A'.repeat(43)}` });
    expectBearerChallenge(response);
    expect(response.body.type).toBe(`${PROBLEM}viewer-token-invalid`);
  });

  it.each<[string, string | undefined]>([
    ['no ingest key', undefined],
    ['an unknown ingest key', 'Bearer not-a-key'],
    ['a JWT instead of an ingest key', `Bearer ${jwt.sign(claims, 'x', { expiresIn: 60 })}`],
  ])('ingest refuses %s with 401 and the challenge', async (_cause, header) => {
    const call = request(apps.ingest!.getHttpServer())
      .post('/v1/events')
      .send({ id: 'e1', action: 'a.b' });
    const response = await (header === undefined ? call : call.set('authorization', header));
    expectBearerChallenge(response);
  });

  it('answers 401 before the 400 of an undeclared query parameter, and 400 once authenticated', async () => {
    const session = () => request(apps.query!.getHttpServer()).get('/v1/session?zz_undeclared=1');
    expectBearerChallenge(await session());
    const authenticated = await session().set('authorization', `Bearer ${sign()}`);
    expect(authenticated.status).toBe(400);
    expect(authenticated.body.errors).toEqual([expect.objectContaining({ path: 'zz_undeclared' })]);
    const ingest = await request(apps.ingest!.getHttpServer())
      .post('/v1/events?zz_undeclared=1')
      .send({ id: 'e1', action: 'a.b' });
    expectBearerChallenge(ingest);
  });
});
