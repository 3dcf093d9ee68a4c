import { hostileQueries } from '@auditlog/testing';
import { parseTextQuery } from './text-query.parser';

describe('parseTextQuery', () => {
  it('splits words, phrases and qualifiers', () => {
    const result = parseTextQuery(
      'action:flow.* actor:alice@example.com outcome:failure -action:auth.login target:env-42 "exact phrase" deploy',
    );
    expect(result).toEqual({
      ok: true,
      query: {
        qualifiers: [
          { name: 'action', value: 'flow.*', negated: false },
          { name: 'actor', value: 'alice@example.com', negated: false },
          { name: 'outcome', value: 'failure', negated: false },
          { name: 'action', value: 'auth.login', negated: true },
          { name: 'target', value: 'env-42', negated: false },
        ],
        terms: [
          { value: 'exact phrase', phrase: true, negated: false },
          { value: 'deploy', phrase: false, negated: false },
        ],
      },
    });
  });

  it.each([
    [
      'an unterminated quote runs to the end',
      '"never closed',
      [{ value: 'never closed', phrase: true, negated: false }],
    ],
    ['a quoted qualifier value', 'target:"prod env"', []],
    [
      'a quoted token is never a qualifier',
      '"user:bob"',
      [{ value: 'user:bob', phrase: true, negated: false }],
    ],
    [
      'a lone dash is a word',
      '- x',
      [
        { value: '-', phrase: false, negated: false },
        { value: 'x', phrase: false, negated: false },
      ],
    ],
    ['negated phrases', '-"bad thing"', [{ value: 'bad thing', phrase: true, negated: true }]],
    [
      'lucene syntax is plain text',
      'a AND (b OR c~2)',
      ['a', 'AND', '(b', 'OR', 'c~2)'].map((value) => ({ value, phrase: false, negated: false })),
    ],
    ['empty input', '   ', []],
  ])('%s', (_case, input, terms) => {
    const result = parseTextQuery(input);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.query.terms).toEqual(terms);
  });

  it('keeps a quoted qualifier value whole', () => {
    const result = parseTextQuery('target:"prod env"');
    expect(result.ok && result.query.qualifiers).toEqual([
      { name: 'target', value: 'prod env', negated: false },
    ]);
  });

  it.each([
    ['user:bob since:yesterday', 'unknown qualifiers: user, since'],
    ['http://example.com', 'unknown qualifier: http'],
    ['outcome:maybe', 'outcome: must be one of success, failure'],
    ['operation:destroy', 'operation: must be one of'],
    ['action:Flow.Created', 'action: must be an action'],
    ['action:fl*ow', 'action: must be an action'],
    ['x'.repeat(1025), 'q may be at most 1024 characters'],
    [Array.from({ length: 33 }, (_, index) => `w${index}`).join(' '), 'at most 32 terms'],
  ])('rejects %s', (input, message) => {
    const result = parseTextQuery(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toContain(message);
  });

  it('is total over hostile input', () => {
    for (const text of hostileQueries(2000)) {
      const result = parseTextQuery(text);
      expect(typeof result.ok).toBe('boolean');
    }
  });
});
