import { PageCursorCodec, paramsDigest, type CursorState } from './page-cursor';

const state = (params: Record<string, string | string[]>): CursorState => ({
  company: 'acme',
  params: paramsDigest(params),
  from: '2026-06-01T00:00:00.000Z',
  to: '2026-06-02T00:00:00.000Z',
  sort: 'desc',
  after: [1_780_000_000_000, 'evt-1'],
});

describe('PageCursorCodec', () => {
  const codec = new PageCursorCodec(Buffer.from('k'.repeat(32)));
  const params = { action: ['flow.*', 'auth.login'], limit: '10' };

  it('round-trips and ignores limit, cursor and value order', () => {
    const cursor = codec.encode(state(params));
    expect(
      codec.decode(cursor, 'acme', { action: ['auth.login', 'flow.*'], limit: '50', cursor }),
    ).toEqual(state(params));
  });

  it.each([
    ['another company', 'globex', params],
    ['other filters', 'acme', { action: 'flow.*' }],
    ['another sort', 'acme', { ...params, sort: 'asc' }],
  ])('rejects a cursor reused with %s', (_case, company, other) => {
    const cursor = codec.encode(state(params));
    expect(() => codec.decode(cursor, company, other)).toThrow(/another search/);
  });

  it('rejects tampering and foreign keys', () => {
    const cursor = codec.encode(state(params));
    const [payload = '', signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ ...state(params), company: 'globex' })).toString(
      'base64url',
    );
    expect(() => codec.decode(`${forged}.${signature}`, 'globex', params)).toThrow(/not valid/);
    const foreign = new PageCursorCodec(Buffer.from('x'.repeat(32)));
    expect(() => foreign.decode(cursor, 'acme', params)).toThrow(/not valid/);
    expect(() => codec.decode(payload, 'acme', params)).toThrow(/not valid/);
    expect(() => codec.decode('a.b.c', 'acme', params)).toThrow(/not valid/);
  });
});
