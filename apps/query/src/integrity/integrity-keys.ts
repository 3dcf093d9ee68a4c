import type { KeyObject } from 'node:crypto';
import type { IntegrityConfig } from '@auditlog/config';
import {
  describePublicKey,
  parsePublicKey,
  type PublicKeyInfo,
  type SigningKey,
  signingKeyFromPem,
} from '@auditlog/integrity';

export const INTEGRITY_KEYS = Symbol('INTEGRITY_KEYS');

/** The parsed key material of one installation. */
export interface IntegrityKeys {
  /** Undefined: digests are not written. */
  signing?: SigningKey;
  /** Every key a digest may have been signed with, the current one included. */
  verifying: ReadonlyMap<string, KeyObject>;
  published: Array<PublicKeyInfo & { current: boolean }>;
}

export function loadIntegrityKeys(config: IntegrityConfig): IntegrityKeys {
  const signing = config.signingKey
    ? signingKeyFromPem(config.signingKey.pem, config.signingKey.id)
    : undefined;
  const verifying = new Map<string, KeyObject>();
  if (signing) verifying.set(signing.keyId, signing.publicKey);
  for (const key of config.publicKeys) {
    if (!verifying.has(key.id)) verifying.set(key.id, parsePublicKey(key.pem));
  }
  const published = [...verifying].map(([id, key]) => ({
    ...describePublicKey(id, key),
    current: id === signing?.keyId,
  }));
  return { signing, verifying, published };
}
