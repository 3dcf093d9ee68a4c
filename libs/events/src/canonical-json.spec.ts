import { canonicalJson, jsonString } from './canonical-json';
import { eventHash } from './event-hash';

describe('canonicalJson (RFC 8785)', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ nested: { z: [3, { y: true, x: null }] } }, '{"nested":{"z":[3,{"x":null,"y":true}]}}'],
    [[1e21, 1e-7, -0, 0.1, 100], '[1e+21,1e-7,0,0.1,100]'],
    ['\u2028 "quoted" \\ \n', '"\u2028 \\"quoted\\" \\\\ \\n"'],
    // Keys sort by UTF-16 code units: "\u20ac" (8364) sorts before "\ud83d\ude00" (55357).
    [
      { '\ud83d\ude00': 1, '\u20ac': 2, '\r': 3, '1': 4 },
      '{"\\r":3,"1":4,"\u20ac":2,"\ud83d\ude00":1}',
    ],
    [{ skipped: undefined, kept: 'yes' }, '{"kept":"yes"}'],
  ])('canonicalises %j', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('rejects values JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ fn: () => 1 })).toThrow(TypeError);
  });
});

describe('jsonString', () => {
  it('is JSON.stringify of every string, escapes and surrogates included', () => {
    // Every character class the fast path must hand to JSON.stringify, mixed at random.
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      '"',
      '\\',
      '/',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u2028',
      '\u00e9',
      '\u20ac',
      '\ud83d\ude00',
      '\ud800',
      '\udfff',
      '\n',
      '\t',
    ];
    let seed = 7;
    const next = (): number => (seed = (seed * 48_271) % 2_147_483_647);
    for (let i = 0; i < 5000; i++) {
      const text = Array.from(
        { length: next() % 12 },
        () => alphabet[next() % alphabet.length],
      ).join('');
      expect(jsonString(text)).toBe(JSON.stringify(text));
    }
  });
});

describe('eventHash', () => {
  const event = {
    id: 'evt-1',
    timestamp: '2026-01-02T03:04:05.678Z',
    received_at: '2026-01-02T03:04:06.000Z',
    company_id: 'acme',
    action: 'flow.created',
    category: 'flow',
    actor: { id: 'alice', type: 'user' as const },
    outcome: 'success' as const,
    schema_version: 1,
  };

  it('is the SHA-256 of the canonical form (fixed vector)', () => {
    expect(canonicalJson(event)).toBe(
      '{"action":"flow.created","actor":{"id":"alice","type":"user"},"category":"flow","company_id":"acme",' +
        '"id":"evt-1","outcome":"success","received_at":"2026-01-02T03:04:06.000Z","schema_version":1,' +
        '"timestamp":"2026-01-02T03:04:05.678Z"}',
    );
    // printf '%s' '<the line above>' | sha256sum
    expect(eventHash(event)).toBe(
      '10b54a22e45cfcf8e18f5ee8122c9f4481b3a386e0f5aac2914a2a8f33be1484',
    );
  });

  it('ignores an existing hash and member order', () => {
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as typeof event;
    expect(eventHash({ ...reordered, hash: 'stale' })).toBe(eventHash(event));
    expect(eventHash({ ...event, action: 'flow.deleted' })).not.toBe(eventHash(event));
  });
});
