import { parseSearch, resolveParams, toSearch, withValues } from './url-state';

describe('console URL state', () => {
  it.each([
    ['', { filters: [], range: '24h', event: null, tab: 'events', tz: 'utc', companyId: null }],
    [
      '?action=flow.*&action=auth.login&context.task_id=t-1&event=e1&tab=exports&tz=local',
      {
        filters: [
          ['action', 'flow.*'],
          ['action', 'auth.login'],
          ['context.task_id', 't-1'],
        ],
        range: '24h',
        event: 'e1',
        tab: 'exports',
        tz: 'local',
        companyId: null,
      },
    ],
    [
      '?from=2026-01-01T00:00:00Z&range=7d&company_id=acme',
      {
        filters: [['from', '2026-01-01T00:00:00Z']],
        range: null,
        event: null,
        tab: 'events',
        tz: 'utc',
        companyId: 'acme',
      },
    ],
    [
      '?range=30d&tab=nonsense',
      { filters: [], range: '30d', event: null, tab: 'events', tz: 'utc', companyId: null },
    ],
  ])('parses %s', (search, expected) => {
    expect(parseSearch(search)).toEqual(expected);
  });

  it.each([
    '?action=flow.*&action=auth.login&event=e1',
    '?company_id=acme&tab=integrity&range=7d&outcome=failure&tz=local',
    '?from=2026-01-01T00%3A00%3A00Z&to=2026-01-02T00%3A00%3A00Z&ancestor=project%3Ap1',
  ])('writes back what it read: %s', (search) => {
    expect(toSearch(parseSearch(search))).toBe(search);
  });

  it('resolves a preset to an absolute window and keeps an explicit one', () => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    expect(resolveParams({ filters: [['action', 'a.b']], range: '1h' }, now)).toEqual([
      ['from', '2026-06-01T11:00:00.000Z'],
      ['to', '2026-06-01T12:00:00.000Z'],
      ['action', 'a.b'],
    ]);
    const explicit = [['from', '2026-05-01']] as const;
    expect(resolveParams({ filters: explicit, range: null }, now)).toBe(explicit);
  });

  it('replaces the values of one parameter in place', () => {
    expect(
      withValues(
        [
          ['a', '1'],
          ['b', '2'],
          ['a', '3'],
          ['c', '4'],
        ],
        'a',
        ['9'],
      ),
    ).toEqual([
      ['a', '9'],
      ['b', '2'],
      ['c', '4'],
    ]);
    expect(withValues([['b', '2']], 'q', ['x'])).toEqual([
      ['b', '2'],
      ['q', 'x'],
    ]);
  });
});
