import { draftFromParams, paramsFromDraft, withExclusion } from './filter-draft';

describe('filter form draft', () => {
  it('sends comma-separated values as repeated parameters and emails as actor_email', () => {
    const draft = draftFromParams([], '24h');
    draft.lists.action = 'flow.*, auth.login';
    draft.user = 'alice, bob@example.com';
    draft.context.task_id = 't,1';
    draft.q = ' "a b" ';
    expect(paramsFromDraft(draft)).toEqual({
      filters: [
        ['action', 'flow.*'],
        ['action', 'auth.login'],
        ['actor_id', 'alice'],
        ['actor_email', 'bob@example.com'],
        ['context.task_id', 't,1'],
        ['q', '"a b"'],
      ],
      range: '24h',
    });
  });

  it.each([
    [{ project: 'p1', environment: '', service: '' }, 'project:p1'],
    [{ project: 'p1', environment: 'env-1', service: '' }, 'environment:env-1'],
    [{ project: 'p1', environment: 'env-1', service: 'service:svc-1' }, 'service:svc-1'],
  ])('sends only the deepest ancestor picked: %o', (ancestors, expected) => {
    const draft = { ...draftFromParams([], '24h'), ancestors };
    expect(paramsFromDraft(draft).filters).toEqual([['ancestor', expected]]);
  });

  it('keeps parameters it has no field for', () => {
    const filters = [
      ['ancestor', 'team:t1'],
      ['context.run_id', 'r-1'],
      ['outcome', 'failure'],
    ] as const;
    const draft = draftFromParams(filters, null);
    expect(draft.lists.outcome).toBe('failure');
    expect(paramsFromDraft({ ...draft, range: 'custom' }).filters).toEqual([
      ['outcome', 'failure'],
      ['ancestor', 'team:t1'],
      ['context.run_id', 'r-1'],
    ]);
  });

  it('a custom window without dates falls back to the default preset', () => {
    const draft = { ...draftFromParams([], '7d'), range: 'custom' as const };
    expect(paramsFromDraft(draft).range).toBe('24h');
    expect(paramsFromDraft({ ...draft, from: '2026-01-01' })).toEqual({
      filters: [['from', '2026-01-01']],
      range: null,
    });
  });

  it.each([
    ['', 'action', 'flow.created', '-action:flow.created'],
    ['outcome:failure', 'tool', 'ci bot', 'outcome:failure -tool:"ci bot"'],
  ])('excludes through q: %s + %s:%s', (q, qualifier, value, expected) => {
    expect(withExclusion(q, qualifier, value)).toBe(expected);
  });
});
