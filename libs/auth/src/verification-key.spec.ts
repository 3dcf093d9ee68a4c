import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { hmacKey, type KeyProvider, keyObjectProvider, publicKey } from './verification-key';

function provide(provider: KeyProvider<unknown>): Promise<{ error: unknown; key: unknown }> {
  return new Promise((done) => {
    provider({}, 'token', (error, key) => done({ error, key }));
  });
}

describe('verification keys', () => {
  it('verifies tokens signed with the secret string, and refuses another secret', () => {
    const token = jwt.sign({ sub: 'u' }, 's3cret-value', { algorithm: 'HS256' });
    expect(jwt.verify(token, hmacKey('s3cret-value'), { algorithms: ['HS256'] })).toMatchObject({
      sub: 'u',
    });
    expect(() => jwt.verify(token, hmacKey('other'), { algorithms: ['HS256'] })).toThrow(
      'invalid signature',
    );
  });

  it('turns each distinct PEM of a provider into one KeyObject, reused', async () => {
    const pems = ['a', 'b'].map(() =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    );
    let call = 0;
    const provider = keyObjectProvider((_request, _token, done) => done(null, pems[call++ % 2]));
    const keys = [];
    for (let round = 0; round < 4; round++) keys.push((await provide(provider)).key);
    expect(keys[0]).toBe(keys[2]);
    expect(keys[1]).toBe(keys[3]);
    expect(keys[0]).not.toBe(keys[1]);
    expect((keys[0] as KeyObject).asymmetricKeyType).toBe('ec');
    expect((keys[0] as KeyObject).equals(publicKey(pems[0] as string))).toBe(true);
  });

  it('passes the provider errors and empty answers through, and refuses a PEM it cannot parse', async () => {
    const failure = new Error('jwks unreachable');
    expect(await provide(keyObjectProvider((_r, _t, done) => done(failure)))).toEqual({
      error: failure,
      key: undefined,
    });
    expect(await provide(keyObjectProvider((_r, _t, done) => done(null, null)))).toEqual({
      error: null,
      key: null,
    });
    const broken = await provide(keyObjectProvider((_r, _t, done) => done(null, 'not a key')));
    expect(String(broken.error)).toMatch(/error/i);
    expect(broken.key).toBeUndefined();
  });
});
