import { parseEventFilters, parseFilterSet } from './parse-event-filters';

const now = new Date('2026-06-15T12:00:00.000Z');
const limits = { maxWindowDays: 93, maxLookbackDays: 366 };
const parse = (params: Record<string, string | string[]>) => parseEventFilters(params, now, limits);

describe('parseEventFilters', () => {
  it('defaults to the last 24 h, newest first', () => {
    expect(parse({})).toEqual({
      ok: true,
      filters: { from: '2026-06-14T12:00:00.000Z', to: '2026-06-15T12:00:00.000Z', sort: 'desc' },
    });
  });

  it('parses every filter; repeated and comma-separated values are OR-ed values', () => {
    const result = parse({
      from: '2026-06-01',
      to: '2026-06-02T00:00:00Z',
      action: ['flow.*', 'auth.login,auth.logout'],
      category: 'flow',
      operation: 'create',
      actor_id: 'u-1',
      actor_email: 'a@example.com',
      actor_type: ['user', 'agent'],
      target_type: 'environment',
      target_id: 'env-42',
      ancestor: 'project:p-1',
      outcome: 'failure',
      source_tool: 'terraform',
      source_ip: ['10.0.0.0/8', '::1'],
      'context.task_id': 't,1',
      q: 'deploy -outcome:success',
      sort: 'asc',
    });
    expect(result).toEqual({
      ok: true,
      filters: {
        from: '2026-06-01T00:00:00.000Z',
        to: '2026-06-02T00:00:00.000Z',
        sort: 'asc',
        actions: ['flow.*', 'auth.login', 'auth.logout'],
        categories: ['flow'],
        operations: ['create'],
        actorIds: ['u-1'],
        actorEmails: ['a@example.com'],
        actorTypes: ['user', 'agent'],
        targetTypes: ['environment'],
        targetIds: ['env-42'],
        ancestors: ['project:p-1'],
        outcomes: ['failure'],
        sourceTools: ['terraform'],
        sourceIps: ['10.0.0.0/8', '::1'],
        context: { task_id: ['t,1'] },
        text: {
          terms: [{ value: 'deploy', phrase: false, negated: false }],
          qualifiers: [{ name: 'outcome', value: 'success', negated: true }],
        },
      },
    });
  });

  it.each([
    [{ from: '2026-01-01', to: '2026-06-01' }, 'from', 'at most 93 days'],
    [{ from: '2025-05-01', to: '2025-05-02' }, 'from', 'at most 366 days'],
    [{ from: '2026-06-02', to: '2026-06-01' }, 'from', 'before to'],
    [{ from: 'yesterday' }, 'from', 'ISO 8601'],
    [{ to: ['2026-06-01', '2026-06-02'] }, 'to', 'once'],
    [{ sort: 'up' }, 'sort', 'asc or desc'],
    [{ action: 'Flow' }, 'action', 'action like flow.created'],
    [{ operation: 'destroy' }, 'operation', 'one of'],
    [{ actor_type: 'robot' }, 'actor_type', 'one of'],
    [{ outcome: 'ok' }, 'outcome', 'one of'],
    [{ ancestor: 'project' }, 'ancestor', 'type:id'],
    [{ source_ip: '10.0.0.300' }, 'source_ip', 'IP address'],
    [{ source_ip: '10.0.0.0/33' }, 'source_ip', '0 to 32'],
    [{ 'context.': 'x' }, 'context.', 'context key'],
    [{ q: 'user:bob' }, 'q', 'unknown qualifier: user'],
    [{ company: 'acme', foo: '1' }, 'company', 'unknown query parameter: company'],
  ])('rejects %j on %s', (params, path, message) => {
    const result = parse(params);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const problem = result.errors.find((error) => error.path === path);
      expect(problem?.message).toContain(message);
    }
  });

  it('names every unknown parameter', () => {
    const result = parse({ foo: '1', bar: '2' });
    expect(!result.ok && result.errors.map((error) => error.path)).toEqual(['foo', 'bar']);
  });

  it('accepts the endpoint parameters it is told about', () => {
    const result = parseEventFilters({ limit: '5', cursor: 'x' }, now, limits, {
      extraParams: ['limit', 'cursor'],
    });
    expect(result.ok).toBe(true);
  });

  it('applies configured limits', () => {
    const result = parseEventFilters({ from: '2026-06-10T00:00:00Z' }, now, {
      maxWindowDays: 2,
      maxLookbackDays: 366,
    });
    expect(!result.ok && result.errors[0]?.message).toContain('at most 2 days');
  });
});

describe('parseFilterSet', () => {
  it('parses filter parameters into a set without window, order or text', () => {
    expect(parseFilterSet({ ancestor: 'project:p1', action: ['flow.*', 'auth.login'] })).toEqual({
      ok: true,
      set: { ancestors: ['project:p1'], actions: ['flow.*', 'auth.login'] },
    });
    expect(parseFilterSet({})).toEqual({ ok: true, set: {} });
  });

  it.each([
    [{ from: '2026-06-01' }, 'from', 'from cannot be a fixed filter'],
    [{ q: 'deploy' }, 'q', 'q cannot be a fixed filter'],
    [{ sort: 'asc' }, 'sort', 'sort cannot be a fixed filter'],
    [{ limit: '5' }, 'limit', 'limit cannot be a fixed filter'],
    [{ cursor: 'x' }, 'cursor', 'cursor cannot be a fixed filter'],
    [{ to: '2026-06-01' }, 'to', 'to cannot be a fixed filter'],
    [{ ancestor: 'project' }, 'ancestor', 'type:id'],
    [{ company_id: 'acme' }, 'company_id', 'unknown query parameter: company_id'],
  ])('rejects %j on %s', (params, path, message) => {
    const result = parseFilterSet(params);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      { path, message: expect.stringContaining(message) },
    ]);
  });
});
