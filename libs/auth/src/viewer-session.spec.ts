import jwt from 'jsonwebtoken';
import { loadConfig } from '@auditlog/config';
import {
  isViewerSessionToken,
  type ViewerGrant,
  viewerSessionKey,
  ViewerSessions,
  VIEWER_SESSION_TYP,
} from './viewer-session';

const env = {
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWT_SECRET: 'j'.repeat(32),
};

const grant = (expiresInSeconds = 600): ViewerGrant => ({
  id: 'vtk_1',
  companyId: 'acme',
  subject: 'host-user-7',
  roles: ['company_owner'],
  permissions: ['view'],
  filters: { ancestor: 'project:p1' },
  expiresAt: new Date((Math.floor(Date.now() / 1000) + expiresInSeconds) * 1000).toISOString(),
});

describe('viewer sessions', () => {
  const config = loadConfig('query', env);
  const sessions = new ViewerSessions(config);

  it('signs an HS256 JWT typed auditlog-viewer that verifies into a viewer principal', () => {
    const issued = grant();
    const token = sessions.sign(issued);
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header).toMatchObject({ alg: 'HS256', typ: VIEWER_SESSION_TYP });
    expect(decoded?.payload).toMatchObject({
      typ: VIEWER_SESSION_TYP,
      sub: 'host-user-7',
      company_id: 'acme',
      roles: ['company_owner'],
      perms: ['view'],
      flt: { ancestor: 'project:p1' },
      jti: 'vtk_1',
      exp: Date.parse(issued.expiresAt) / 1000,
    });
    expect(isViewerSessionToken(token)).toBe(true);
    expect(sessions.verify(token)).toEqual({
      subject: 'host-user-7',
      companyId: 'acme',
      roles: ['company_owner'],
      via: 'viewer',
      permissions: ['view'],
      fixedFilters: { ancestor: 'project:p1' },
      viewerTokenId: 'vtk_1',
      expiresAt: issued.expiresAt,
    });
  });

  it('refuses expired sessions, other keys and admin roles', () => {
    expect(sessions.verify(sessions.sign(grant(-5)))).toBeUndefined();
    const other = new ViewerSessions(
      loadConfig('query', { ...env, AUTH_JWT_SECRET: 'k'.repeat(32) }),
    );
    expect(other.verify(sessions.sign(grant()))).toBeUndefined();
    const key = viewerSessionKey(config) as Buffer;
    const admin = jwt.sign(
      {
        typ: VIEWER_SESSION_TYP,
        sub: 'x',
        company_id: 'acme',
        roles: ['installation_admin'],
        perms: ['view'],
        flt: {},
        jti: 'j',
      },
      key,
      { algorithm: 'HS256', expiresIn: 60, header: { alg: 'HS256', typ: VIEWER_SESSION_TYP } },
    );
    expect(sessions.verify(admin)).toBeUndefined();
    // Signed with AUTH_JWT_SECRET itself: the derived key is a different key.
    const withJwtSecret = jwt.sign(
      { ...(jwt.decode(sessions.sign(grant())) as object) },
      env.AUTH_JWT_SECRET,
      {
        algorithm: 'HS256',
        header: { alg: 'HS256', typ: VIEWER_SESSION_TYP },
      },
    );
    expect(sessions.verify(withJwtSecret)).toBeUndefined();
  });

  it('tells owner JWTs and garbage from viewer sessions by the header', () => {
    expect(isViewerSessionToken(jwt.sign({ sub: 'u' }, 'x'.repeat(32)))).toBe(false);
    expect(isViewerSessionToken('not-a-token')).toBe(false);
  });

  it('prefers VIEWER_SESSION_SECRET and is off without any HS256 secret', () => {
    const own = loadConfig('query', { ...env, VIEWER_SESSION_SECRET: 'v'.repeat(32) });
    expect(viewerSessionKey(own)).toEqual(Buffer.from('v'.repeat(32)));
    const { AUTH_JWT_SECRET: _secret, ...jwks } = {
      ...env,
      AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
    };
    const off = new ViewerSessions(loadConfig('query', jwks));
    expect(off.enabled).toBe(false);
    expect(() => off.sign(grant())).toThrow('Set VIEWER_SESSION_SECRET');
  });
});
