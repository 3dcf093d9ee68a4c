import { parseEventFilters, parseFilterSet, withRestriction } from '@auditlog/events';
import { buildEventQuery, restrictionClauses } from './event-query.builder';

const now = new Date('2026-06-15T12:00:00.000Z');

function query(params: Record<string, string | string[]>) {
  const parsed = parseEventFilters(params, now);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return buildEventQuery('acme', parsed.filters) as {
    bool: { filter: unknown[]; must?: unknown[]; must_not?: unknown[] };
  };
}

describe('buildEventQuery', () => {
  it('always filters on the company first, whatever the parameters say', () => {
    for (const params of <Array<Record<string, string>>>[
      {},
      { q: '"company_id:globex"' },
      { q: '-actor:x' },
      { q: 'globex', action: 'flow.*' },
    ]) {
      expect(query(params).bool.filter[0]).toEqual({ term: { company_id: 'acme' } });
    }
  });

  it('turns each filter into a term, prefix or range clause', () => {
    const { bool } = query({
      action: ['flow.*', 'auth.login'],
      ancestor: 'project:p-1',
      source_ip: '10.0.0.0/8',
      'context.task_id': 't-1',
      outcome: ['success', 'failure'],
    });
    expect(bool.filter).toEqual([
      { term: { company_id: 'acme' } },
      { range: { timestamp: { gte: '2026-06-14T12:00:00.000Z', lt: '2026-06-15T12:00:00.000Z' } } },
      {
        bool: {
          should: [{ prefix: { action: 'flow.' } }, { term: { action: 'auth.login' } }],
          minimum_should_match: 1,
        },
      },
      { term: { scope: 'project:p-1' } },
      { terms: { outcome: ['success', 'failure'] } },
      { term: { 'source.ip': '10.0.0.0/8' } },
      { term: { 'context.task_id': 't-1' } },
    ]);
  });

  it('builds q from match and term queries only, never a query string', () => {
    const { bool } = query({
      q: 'deploy "exact phrase" -outcome:failure actor:a action:x.y action:z.*',
    });
    const json = JSON.stringify(bool);
    expect(json).not.toMatch(/query_string|simple_query_string|regexp|wildcard|fuzzy/);
    expect(bool.must).toHaveLength(4);
    expect(bool.must_not).toEqual([{ term: { outcome: 'failure' } }]);
    expect(bool.must).toContainEqual({
      bool: {
        should: [{ term: { action: 'x.y' } }, { prefix: { action: 'z.' } }],
        minimum_should_match: 1,
      },
    });
  });
});

describe('buildEventQuery with fixed filter sets', () => {
  const fixed = (params: Record<string, string | string[]>) => {
    const parsed = parseFilterSet(params);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.set;
  };

  it('ANDs each fixed set as its own clause after the request filters', () => {
    const parsed = parseEventFilters({ ancestor: ['project:p1', 'project:p2'] }, now);
    if (!parsed.ok) throw new Error('unexpected');
    const filters = withRestriction(parsed.filters, fixed({ ancestor: 'project:p1' }));
    const { bool } = buildEventQuery('acme', filters) as { bool: { filter: unknown[] } };
    expect(bool.filter).toEqual([
      { term: { company_id: 'acme' } },
      { range: { timestamp: { gte: '2026-06-14T12:00:00.000Z', lt: '2026-06-15T12:00:00.000Z' } } },
      { terms: { scope: ['project:p1', 'project:p2'] } },
      { bool: { filter: [{ term: { scope: 'project:p1' } }] } },
    ]);
  });

  it('adds nothing for an empty fixed set', () => {
    const parsed = parseEventFilters({}, now);
    if (!parsed.ok) throw new Error('unexpected');
    expect(withRestriction(parsed.filters, fixed({}))).toBe(parsed.filters);
    expect(restrictionClauses([{}])).toEqual([]);
  });

  it('builds the same clause for a read by id', () => {
    expect(restrictionClauses([fixed({ action: 'flow.*', 'context.task_id': 't-1' })])).toEqual([
      {
        bool: {
          filter: [{ prefix: { action: 'flow.' } }, { term: { 'context.task_id': 't-1' } }],
        },
      },
    ]);
  });
});
