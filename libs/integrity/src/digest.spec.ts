import { generateKeyPairSync } from 'node:crypto';
import { buildDigest, type Digest, digestHash, verifyDigestSignature } from './digest';
import {
  EXAMPLE_EVENTS,
  EXAMPLE_KEY_ID,
  EXAMPLE_PRIVATE_KEY_PEM,
  EXAMPLE_PUBLIC_KEY_PEM,
} from '@auditlog/testing';
import { describePublicKey, parsePublicKey, signingKeyFromPem } from './keys';

const key = signingKeyFromPem(EXAMPLE_PRIVATE_KEY_PEM, EXAMPLE_KEY_ID);

function exampleChain(): [Digest, Digest] {
  const first = buildDigest(
    {
      companyId: 'acme',
      windowStart: '2026-01-01T00:00:00.000Z',
      windowEnd: '2026-01-01T01:00:00.000Z',
      events: [EXAMPLE_EVENTS[1], EXAMPLE_EVENTS[0]],
      previous: null,
      keyId: key.keyId,
      createdAt: '2026-01-01T01:01:00.000Z',
    },
    key.privateKey,
  );
  const second = buildDigest(
    {
      companyId: 'acme',
      windowStart: '2026-01-01T01:00:00.000Z',
      windowEnd: '2026-01-01T02:00:00.000Z',
      events: [],
      previous: first,
      keyId: key.keyId,
      createdAt: '2026-01-01T02:01:00.000Z',
    },
    key.privateKey,
  );
  return [first, second];
}

describe('digests (worked example of docs/integrity.md)', () => {
  it('reproduces the documented event hashes, root, signature and digest hashes', () => {
    expect(EXAMPLE_EVENTS.map((event) => event.hash)).toEqual([
      '51be16f5b05387dbe8ad0e2c7f0e49873fb840bfaa837a513e0682f9dd930b49',
      'a6fc899dbcc048f9e8a46208dee212918bc54abbfa385664ef85c808a29734c1',
    ]);
    const [first, second] = exampleChain();
    expect(first.leaves.map((leaf) => leaf.id)).toEqual(['evt-1', 'evt-2']);
    expect(first.merkle_root).toBe(
      '0239d8df773a31755bface92ff2cd3d2114c21740bdbfa0bf20dffa23c16adeb',
    );
    expect(first.signature).toBe(
      'T2mowXR20q9wO5knsWzpOhEExqnmSDW5lmQLqsOh7sE77QjQ+TrJar8QW75I33kkcn8ebyfJ9D4k2GIsT7zjBQ==',
    );
    expect(digestHash(first)).toBe(
      'd9f6bd201adc822b8b13a8fb0f44041b509249f0daedc0a10387ce13574994ad',
    );
    expect(second.previous_digest_hash).toBe(digestHash(first));
    expect(second.merkle_root).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(digestHash(second)).toBe(
      '804a107998d2e2eabeccecc90c1dfba0e496e587ec98419e4b82dad40d107ff0',
    );
  });

  it('publishes the documented public key as PEM and JWK', () => {
    const info = describePublicKey(key.keyId, key.publicKey);
    expect(info.pem).toBe(EXAMPLE_PUBLIC_KEY_PEM);
    expect(info.jwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      kid: EXAMPLE_KEY_ID,
    });
  });

  it('verifies a signature with the public key only, and rejects any change', () => {
    const [first] = exampleChain();
    const publicKey = parsePublicKey(EXAMPLE_PUBLIC_KEY_PEM);
    expect(verifyDigestSignature(first, publicKey)).toBe(true);
    expect(verifyDigestSignature({ ...first, event_count: 3 }, publicKey)).toBe(false);
    expect(
      verifyDigestSignature({ ...first, previous_digest_hash: 'ab'.repeat(32) }, publicKey),
    ).toBe(false);
    expect(verifyDigestSignature({ ...first, signature: 'not base64!' }, publicKey)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyDigestSignature(first, other)).toBe(false);
  });

  it('refuses keys that are not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      signingKeyFromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ).toThrow(/Ed25519/);
    expect(() => parsePublicKey('not a key')).toThrow(/PEM/);
  });

  it('derives a stable key id from the public key when none is given', () => {
    expect(signingKeyFromPem(EXAMPLE_PRIVATE_KEY_PEM).keyId).toMatch(/^[a-f0-9]{16}$/);
    expect(signingKeyFromPem(EXAMPLE_PRIVATE_KEY_PEM).keyId).toBe(
      signingKeyFromPem(EXAMPLE_PRIVATE_KEY_PEM).keyId,
    );
  });
});
