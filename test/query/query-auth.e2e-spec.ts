import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import jwt, { type SignOptions } from 'jsonwebtoken';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import { dropPrefix, newSecret, startApp, testClient, testEnvironment } from '@auditlog/testing';
import { QueryModule } from '../../apps/query/src/query.module';

const ISSUER = 'https://id.example.com/';
const AUDIENCE = 'auditlog';
const owner = { sub: 'u-1', company_id: 'acme', roles: ['company_owner'] };
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed by hand, for algorithms and headers that jsonwebtoken refuses to produce. */
function handMade(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign?: (input: string) => string,
) {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${sign ? sign(input) : ''}`;
}

const inFuture = () => Math.floor(Date.now() / 1000) + 600;

describe('query API authentication', () => {
  let client: Client;
  const started: INestApplication[] = [];
  const prefixes: string[] = [];

  async function boot(suite: string, auth: Record<string, string | undefined>) {
    const setup = testEnvironment(suite, undefined, auth);
    const app = await startApp('query', QueryModule, setup.env);
    started.push(app);
    prefixes.push(setup.indexPrefix);
    return { app, setup };
  }

  const status = async (app: INestApplication, token: string | undefined) => {
    const call = () => {
      const get = request(app.getHttpServer()).get('/v1/events');
      return token === undefined ? get : get.set('Authorization', `Bearer ${token}`);
    };
    let response = await call();
    // The token was accepted, but the first read's audit event was still creating today's
    // index (its shard not yet started): storage answered 503 + Retry-After. Ask again.
    for (let attempt = 0; response.status === 503 && attempt < 20; attempt++) {
      expect(response.headers['retry-after']).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 250));
      response = await call();
    }
    if (response.status !== 200)
      expect(response.headers['content-type']).toContain('application/problem+json');
    return response.status;
  };

  beforeAll(() => {
    client = testClient();
  });

  afterAll(async () => {
    for (const app of started) await app.close();
    for (const prefix of prefixes) await dropPrefix(client, prefix);
    await client.close();
  });

  describe('HS256 secret with issuer and audience', () => {
    const secret = newSecret();
    let app: INestApplication;
    const sign = (claims: Record<string, unknown>, options: SignOptions = {}) =>
      jwt.sign(claims, secret, {
        algorithm: 'HS256',
        expiresIn: '5m',
        issuer: ISSUER,
        audience: AUDIENCE,
        ...options,
      });

    beforeAll(async () => {
      ({ app } = await boot('query-auth-hs', {
        AUTH_JWT_SECRET: secret,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
      }));
    });

    it.each<[string, number, () => string | undefined]>([
      ['a valid owner token', 200, () => sign(owner)],
      [
        'a valid admin token with its own company claim',
        200,
        () => sign({ sub: 'ops', company_id: 'acme', roles: ['installation_admin'] }),
      ],
      ['no token', 401, () => undefined],
      ['an expired token', 401, () => sign(owner, { expiresIn: -60 })],
      ['a token not yet valid (nbf)', 401, () => sign(owner, { notBefore: 600 })],
      [
        'a token without exp',
        401,
        () => jwt.sign(owner, secret, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE }),
      ],
      [
        'a wrong signature',
        401,
        () =>
          jwt.sign(owner, newSecret(), {
            algorithm: 'HS256',
            expiresIn: '5m',
            issuer: ISSUER,
            audience: AUDIENCE,
          }),
      ],
      [
        'alg none',
        401,
        () =>
          handMade(
            { alg: 'none', typ: 'JWT' },
            { ...owner, exp: inFuture(), iss: ISSUER, aud: AUDIENCE },
          ),
      ],
      ['HS512 (not pinned)', 401, () => sign(owner, { algorithm: 'HS512' })],
      ['a wrong audience', 401, () => sign(owner, { audience: 'someone-else' })],
      ['a wrong issuer', 401, () => sign(owner, { issuer: 'https://evil.example.com/' })],
      ['a garbage token', 401, () => 'not.a.jwt'],
      [
        'an owner token without company claim',
        403,
        () => sign({ sub: 'u-1', roles: ['company_owner'] }),
      ],
      ['an empty company claim', 403, () => sign({ ...owner, company_id: '' })],
      ['an unknown role', 403, () => sign({ ...owner, roles: ['viewer'] })],
      ['no roles claim', 403, () => sign({ sub: 'u-1', company_id: 'acme' })],
      ['roles as a string', 403, () => sign({ ...owner, roles: 'company_owner' })],
    ])('%s -> %i', async (_case, expected, token) => {
      expect(await status(app, token())).toBe(expected);
    });
  });

  describe('RS256 public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    let app: INestApplication;
    const sign = (key: KeyObject, algorithm: 'RS256' | 'ES256' | 'PS256', claims = owner) =>
      jwt.sign(claims, key, { algorithm, expiresIn: '5m' });

    beforeAll(async () => {
      ({ app } = await boot('query-auth-rs', {
        AUTH_JWT_SECRET: undefined,
        AUTH_JWT_PUBLIC_KEY: publicPem,
      }));
    });

    it.each<[string, number, () => string]>([
      ['RS256 signed with the private key', 200, () => sign(privateKey, 'RS256')],
      ['RS256 signed with another key', 401, () => sign(other.privateKey, 'RS256')],
      [
        'HS256 signed with the RSA public key as secret (key confusion)',
        401,
        () =>
          handMade({ alg: 'HS256', typ: 'JWT' }, { ...owner, exp: inFuture() }, (input) =>
            createHmac('sha256', publicPem).update(input).digest('base64url'),
          ),
      ],
      ['ES256 from an unrelated key', 401, () => sign(ec.privateKey, 'ES256')],
      ['alg none', 401, () => handMade({ alg: 'none' }, { ...owner, exp: inFuture() })],
      ['an unknown role', 403, () => sign(privateKey, 'RS256', { ...owner, roles: ['auditor'] })],
    ])('%s -> %i', async (_case, expected, token) => {
      expect(await status(app, token())).toBe(expected);
    });
  });

  describe('ES256 public key and custom claim names', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let app: INestApplication;

    beforeAll(async () => {
      ({ app } = await boot('query-auth-es', {
        AUTH_JWT_SECRET: undefined,
        AUTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        AUTH_COMPANY_CLAIM: 'https://auditlog.dev/company',
        AUTH_ROLES_CLAIM: 'realm.roles',
      }));
    });

    it.each<[string, Record<string, unknown>, number]>([
      [
        'claims under the configured names',
        { sub: 'u', 'https://auditlog.dev/company': 'acme', realm: { roles: ['company_owner'] } },
        200,
      ],
      ['claims under the default names only', owner, 403],
    ])('%s -> %i', async (_case, claims, expected) => {
      expect(
        await status(app, jwt.sign(claims, privateKey, { algorithm: 'ES256', expiresIn: '5m' })),
      ).toBe(expected);
    });
  });

  describe('JWKS URL with key rotation', () => {
    const first = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = (key: KeyObject, kid: string) => ({
      ...key.export({ format: 'jwk' }),
      kid,
      use: 'sig',
      alg: 'RS256',
    });
    let keys = [jwk(first.publicKey, 'k1')];
    let fetches = 0;
    let server: Server;
    let app: INestApplication;
    const sign = (key: KeyObject, kid: string) =>
      jwt.sign(owner, key, { algorithm: 'RS256', expiresIn: '5m', keyid: kid });

    beforeAll(async () => {
      server = createServer((_request, response) => {
        fetches++;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      ({ app } = await boot('query-auth-jwks', {
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      }));
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('verifies with the served key, caches it, and refetches on an unknown kid', async () => {
      expect(await status(app, sign(first.privateKey, 'k1'))).toBe(200);
      expect(await status(app, sign(first.privateKey, 'k1'))).toBe(200);
      expect(fetches).toBe(1);

      // Rotation: the issuer publishes k2; a token with the new kid triggers one refetch.
      keys = [jwk(first.publicKey, 'k1'), jwk(second.publicKey, 'k2')];
      expect(await status(app, sign(second.privateKey, 'k2'))).toBe(200);
      expect(fetches).toBe(2);
      expect(await status(app, sign(second.privateKey, 'k2'))).toBe(200);
      expect(fetches).toBe(2);
    });

    it.each<[string, () => string]>([
      [
        'a kid the JWKS does not have',
        () =>
          jwt.sign(owner, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, {
            algorithm: 'RS256',
            expiresIn: '5m',
            keyid: 'k9',
          }),
      ],
      ['a known kid with the wrong key', () => sign(second.privateKey, 'k1')],
      [
        'HS256 with a kid',
        () => jwt.sign(owner, newSecret(), { algorithm: 'HS256', expiresIn: '5m', keyid: 'k1' }),
      ],
      [
        'alg none with a kid',
        () => handMade({ alg: 'none', kid: 'k1' }, { ...owner, exp: inFuture() }),
      ],
    ])('rejects %s with 401', async (_case, token) => {
      expect(await status(app, token())).toBe(401);
    });
  });
});
