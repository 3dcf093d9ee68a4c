import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { StreamSecretKey } from '@auditlog/config';

/** An encrypted value as stored: AES-256-GCM, all parts base64. */
export interface SealedSecret {
  /** Id of the key that encrypted it (STREAM_SECRETS_KEYS). */
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

export class SecretKeyMissingError extends Error {
  constructor() {
    super('no stream secrets key is configured (STREAM_SECRETS_KEY or STREAM_SECRETS_KEYS)');
    this.name = 'SecretKeyMissingError';
  }
}

export class SecretKeyUnknownError extends Error {
  constructor(readonly kid: string) {
    super(`stream secret was encrypted with key "${kid}", which is not configured`);
    this.name = 'SecretKeyUnknownError';
  }
}

/**
 * AES-256-GCM with a random 96-bit IV per value. The first configured key encrypts; every
 * configured key decrypts, chosen by the stored key id (rotation: put the new key first,
 * keep the old ones until every stream was re-saved). `context` is authenticated additional
 * data — the stream id — so a sealed value copied into another stream does not open.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  constructor(private readonly configured: readonly StreamSecretKey[]) {
    this.keys = new Map(configured.map((entry) => [entry.id, entry.key]));
  }

  get canSeal(): boolean {
    return this.configured.length > 0;
  }

  /** The id of the key that encrypts new values, if any. */
  get currentKeyId(): string | undefined {
    return this.configured[0]?.id;
  }

  seal(plaintext: string, context: string): SealedSecret {
    const current = this.configured[0];
    if (!current) throw new SecretKeyMissingError();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      kid: current.id,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  /** Throws when the key is unknown or the value or its context was altered. */
  open(sealed: SealedSecret, context: string): string {
    const key = this.keys.get(sealed.kid);
    if (!key) throw new SecretKeyUnknownError(sealed.kid);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ct, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}
