import { parseEventFilters } from '@auditlog/events';
import {
  fixedFiltersDigest,
  principalRestrictions,
  requireUnrestricted,
  restrictFilters,
} from './fixed-filters';
import type { Principal } from './principal';

const viewer = (fixedFilters?: Principal['fixedFilters']): Principal => ({
  subject: 'v',
  companyId: 'acme',
  roles: ['company_owner'],
  via: 'viewer',
  permissions: ['view'],
  ...(fixedFilters ? { fixedFilters } : {}),
});

describe('fixed filters of a principal', () => {
  const parsed = parseEventFilters({ ancestor: 'project:p2' }, new Date('2026-06-15T12:00:00Z'));
  if (!parsed.ok) throw new Error('unexpected');

  it('are ANDed as a restriction next to the request filters', () => {
    expect(restrictFilters(viewer({ ancestor: 'project:p1' }), parsed.filters)).toEqual({
      ...parsed.filters,
      restrictions: [{ ancestors: ['project:p1'] }],
    });
    expect(restrictFilters(viewer(), parsed.filters)).toBe(parsed.filters);
  });

  it('digest the same whatever the order of values and keys', () => {
    const one = fixedFiltersDigest(viewer({ action: ['b.c', 'a.b'], ancestor: 'project:p1' }));
    const two = fixedFiltersDigest(viewer({ ancestor: 'project:p1', action: 'a.b,b.c' }));
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(one).toBe(two);
    expect(fixedFiltersDigest(viewer({ ancestor: 'project:p2' }))).not.toBe(one);
    expect(fixedFiltersDigest(viewer())).toBeUndefined();
  });

  it('forbid company-wide reads and reject filters that no longer parse', () => {
    expect(() => requireUnrestricted(viewer({ ancestor: 'project:p1' }), 'Verification')).toThrow(
      'Verification covers a whole company',
    );
    expect(() => requireUnrestricted(viewer(), 'Verification')).not.toThrow();
    expect(() => principalRestrictions(viewer({ ancestor: 'no-colon' }))).toThrow(
      'no longer valid',
    );
  });
});
