import { classifyAnswer, excerpt, retryAfterMs } from './http-client';

const answer = (status: number, body = '', headers: Record<string, string> = {}) => ({
  status,
  body,
  headers,
});

describe('HTTP answers', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads Retry-After %j as %j ms', (value, expected) => {
    expect(retryAfterMs(value, Date.parse('2025-01-01T00:00:00Z'))).toBe(expected);
  });

  it('quotes at most 300 characters on one line and blanks every secret', () => {
    const text = excerpt(`bad token s3cr3t\n\n${'x'.repeat(400)} s3cr3t`, ['s3cr3t']);
    expect(text.length).toBe(300);
    expect(text).not.toContain('s3cr3t');
    expect(text.startsWith('bad token [redacted] xxx')).toBe(true);
  });

  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [301, 'retry'],
    [400, 'rejected'],
    [401, 'retry'],
    [403, 'retry'],
    [404, 'retry'],
    [408, 'retry'],
    [409, 'rejected'],
    [413, 'rejected'],
    [422, 'rejected'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ])('maps HTTP %d to %s', (status, kind) => {
    expect(classifyAnswer(answer(status, 'no'), []).kind).toBe(kind);
  });

  it('carries Retry-After and a redacted excerpt into a retry', () => {
    expect(
      classifyAnswer(answer(429, 'slow down key-1', { 'retry-after': '7' }), ['key-1']),
    ).toEqual({
      kind: 'retry',
      status: 429,
      retryAfterMs: 7000,
      error: 'HTTP 429: slow down [redacted]',
    });
  });
});
