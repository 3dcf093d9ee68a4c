import { parseExchangeRequest, parseViewerTokenRequest } from './viewer-token.request';

const valid = { company_id: 'acme', subject: 'host-user-1' };

describe('parseViewerTokenRequest', () => {
  it('fills the documented defaults', () => {
    expect(parseViewerTokenRequest(valid)).toEqual({
      ok: true,
      value: {
        companyId: 'acme',
        subject: 'host-user-1',
        roles: ['company_owner'],
        filters: {},
        permissions: ['view'],
        ttlSeconds: 900,
      },
    });
  });

  it('keeps the grant as asked', () => {
    const result = parseViewerTokenRequest({
      ...valid,
      roles: ['company_owner'],
      filters: { ancestor: 'project:p1', action: ['flow.*'] },
      permissions: ['export', 'view'],
      ttl_seconds: 3600,
    });
    expect(result.ok && result.value).toMatchObject({
      filters: { ancestor: 'project:p1', action: ['flow.*'] },
      permissions: ['view', 'export'],
      ttlSeconds: 3600,
    });
  });

  it.each<[string, unknown, Array<[string, string]>]>([
    ['not an object', [], [['', 'JSON object']]],
    [
      'an unknown field',
      { ...valid, admin: true },
      [['admin', 'unknown field "admin"; allowed fields: company_id']],
    ],
    ['no subject', { company_id: 'acme' }, [['subject', 'subject is required']]],
    ['an empty subject', { ...valid, subject: '' }, [['subject', '1 to 256']]],
    ['a long subject', { ...valid, subject: 's'.repeat(257) }, [['subject', '1 to 256']]],
    ['no company', { subject: 's' }, [['company_id', 'company_id is required']]],
    ['a bad company', { ...valid, company_id: 'a b' }, [['company_id', '[A-Za-z0-9._-]']]],
    ['ttl 0', { ...valid, ttl_seconds: 0 }, [['ttl_seconds', 'from 1 to 3600']]],
    ['ttl 3601', { ...valid, ttl_seconds: 3601 }, [['ttl_seconds', 'from 1 to 3600']]],
    ['ttl as text', { ...valid, ttl_seconds: '60' }, [['ttl_seconds', 'from 1 to 3600']]],
    ['ttl 1.5', { ...valid, ttl_seconds: 1.5 }, [['ttl_seconds', 'from 1 to 3600']]],
    ['admin role', { ...valid, roles: ['installation_admin'] }, [['roles[0]', 'company_owner']]],
    ['no roles', { ...valid, roles: [] }, [['roles', 'non-empty array']]],
    [
      'a bad permission',
      { ...valid, permissions: ['view', 'delete'] },
      [['permissions[1]', 'view, export']],
    ],
    [
      'permissions as text',
      { ...valid, permissions: 'view' },
      [['permissions', 'non-empty array']],
    ],
    ['filters as text', { ...valid, filters: 'ancestor=project:p1' }, [['filters', 'an object']]],
    [
      'a bad filter value',
      { ...valid, filters: { ancestor: 'project' } },
      [['filters.ancestor', 'type:id']],
    ],
    ['a non-string filter', { ...valid, filters: { action: 3 } }, [['filters.action', 'strings']]],
    [
      'an unknown filter',
      { ...valid, filters: { actor: 'x' } },
      [['filters.actor', 'unknown query parameter']],
    ],
    [
      'a time window',
      { ...valid, filters: { from: '2026-01-01' } },
      [['filters.from', 'cannot be a fixed filter']],
    ],
    ['free text', { ...valid, filters: { q: 'x' } }, [['filters.q', 'cannot be a fixed filter']]],
  ])('rejects %s', (_case, body, expected) => {
    const result = parseViewerTokenRequest(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual(
      expected.map(([path, message]) => ({ path, message: expect.stringContaining(message) })),
    );
  });
});

describe('parseExchangeRequest', () => {
  it('takes exactly a token', () => {
    expect(parseExchangeRequest({ token: 'vt_x' })).toEqual({ ok: true, value: 'vt_x' });
    expect(parseExchangeRequest({})).toEqual({
      ok: false,
      errors: [{ path: 'token', message: expect.stringContaining('token is required') }],
    });
    expect(parseExchangeRequest({ token: 'vt_x', ttl: 1 })).toEqual({
      ok: false,
      errors: [{ path: 'ttl', message: 'unknown field "ttl"; allowed fields: token' }],
    });
  });
});
