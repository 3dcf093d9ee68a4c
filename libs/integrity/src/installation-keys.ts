import type { KeyObject } from 'node:crypto';
import {
  describePublicKey,
  parsePublicKey,
  type PublicKeyInfo,
  type SigningKey,
  signingKeyFromPem,
} from './keys';

/** A configured key: its id and PEM text (the config's IntegrityConfig has this shape). */
export interface ConfiguredKey {
  id: string;
  pem: string;
}

/** The parsed key material of one installation. */
export interface IntegrityKeys {
  /** Undefined: digests are not written. */
  signing?: SigningKey;
  /** Every key a digest may have been signed with, the current one included. */
  verifying: ReadonlyMap<string, KeyObject>;
  published: Array<PublicKeyInfo & { current: boolean }>;
}

export function loadIntegrityKeys(config: {
  signingKey?: ConfiguredKey;
  publicKeys: readonly ConfiguredKey[];
}): IntegrityKeys {
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
