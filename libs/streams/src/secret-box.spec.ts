import { randomBytes } from 'node:crypto';
import { SecretBox, SecretKeyMissingError, SecretKeyUnknownError } from './secret-box';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox([key('k1')]);
    const sealed = box.seal('hec-token-123', 'stream-1');
    expect(sealed.kid).toBe('k1');
    expect(JSON.stringify(sealed)).not.toContain('hec-token-123');
    expect(box.open(sealed, 'stream-1')).toBe('hec-token-123');
  });

  it('uses a fresh IV per value', () => {
    const box = new SecretBox([key('k1')]);
    expect(box.seal('same', 's').ct).not.toBe(box.seal('same', 's').ct);
  });

  it('refuses another context, a tampered ciphertext and a tampered tag', () => {
    const box = new SecretBox([key('k1')]);
    const sealed = box.seal('secret value', 'stream-1');
    expect(() => box.open(sealed, 'stream-2')).toThrow();
    const ct = Buffer.from(sealed.ct, 'base64');
    ct.writeUInt8(ct.readUInt8(0) ^ 1, 0);
    expect(() => box.open({ ...sealed, ct: ct.toString('base64') }, 'stream-1')).toThrow();
    const tag = Buffer.from(sealed.tag, 'base64');
    tag.writeUInt8(tag.readUInt8(0) ^ 1, 0);
    expect(() => box.open({ ...sealed, tag: tag.toString('base64') }, 'stream-1')).toThrow();
  });

  it('encrypts with the first key and decrypts with every configured one (rotation)', () => {
    const old = key('k0');
    const sealedBefore = new SecretBox([old]).seal('v', 's');
    const rotated = new SecretBox([key('k1'), old]);
    expect(rotated.open(sealedBefore, 's')).toBe('v');
    expect(rotated.seal('v', 's').kid).toBe('k1');
    expect(rotated.currentKeyId).toBe('k1');
  });

  it('names the missing or unknown key', () => {
    expect(() => new SecretBox([]).seal('v', 's')).toThrow(SecretKeyMissingError);
    expect(new SecretBox([]).canSeal).toBe(false);
    const sealed = new SecretBox([key('gone')]).seal('v', 's');
    expect(() => new SecretBox([key('k1')]).open(sealed, 's')).toThrow(SecretKeyUnknownError);
  });
});
