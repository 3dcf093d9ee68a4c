import { parseIngestKeys } from './ingest-keys.parser';

const HASH = 'ab'.repeat(32);

describe('parseIngestKeys', () => {
  it('reads comma- and newline-separated entries with comments', () => {
    const parsed = parseIngestKeys(
      `# producers\nbilling:${HASH}:acme|globex,\nplatform:${HASH.toUpperCase()}:*\n\n`,
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.keys).toEqual([
      { id: 'billing', sha256: HASH, companies: ['acme', 'globex'] },
      { id: 'platform', sha256: HASH, companies: '*' },
    ]);
  });

  it.each([
    ['too few parts', `billing:${HASH}`, /expected <key_id>/],
    ['too many parts', `billing:${HASH}:*:extra`, /expected <key_id>/],
    ['a plaintext secret', 'billing:not-a-hash:*', /SHA-256/],
    ['a bad company id', `billing:${HASH}:acme corp`, /companies/],
    ['a bad key id', `bill ing:${HASH}:*`, /key id/],
    ['a duplicate id', `a:${HASH}:*,a:${HASH}:*`, /used twice/],
  ])('rejects %s', (_case, text, message) => {
    expect(parseIngestKeys(text).errors).toEqual([expect.stringMatching(message)]);
  });
});
