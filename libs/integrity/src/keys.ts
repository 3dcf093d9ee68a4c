import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export interface PublicKeyInfo {
  key_id: string;
  algorithm: 'Ed25519';
  /** RFC 8037 OKP JSON Web Key. */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string };
  pem: string;
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export class KeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFormatError';
  }
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyFormatError(
      `${what} must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'a secret'}`,
    );
  }
  return key;
}

export function parsePrivateKey(pem: string): KeyObject {
  try {
    return requireEd25519(createPrivateKey(pem), 'the signing key');
  } catch (error) {
    if (error instanceof KeyFormatError) throw error;
    throw new KeyFormatError('the signing key is not a PEM private key');
  }
}

/** Accepts a public key PEM, or a private key PEM (its public half is used). */
export function parsePublicKey(pem: string): KeyObject {
  try {
    return requireEd25519(createPublicKey(pem), 'a public key');
  } catch (error) {
    if (error instanceof KeyFormatError) throw error;
    throw new KeyFormatError('not a PEM public key');
  }
}

/** A stable default key id: the first 16 hex digits of SHA-256 over the SPKI DER bytes. */
export function keyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function signingKeyFromPem(pem: string, keyId?: string): SigningKey {
  const privateKey = parsePrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyId ?? keyFingerprint(publicKey), privateKey, publicKey };
}

export function describePublicKey(keyId: string, publicKey: KeyObject): PublicKeyInfo {
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    key_id: keyId,
    algorithm: 'Ed25519',
    jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string, kid: keyId },
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
