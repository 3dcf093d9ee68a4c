import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load-config';

const base = {
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWT_SECRET: 's'.repeat(32),
};

function ed25519() {
  const pair = generateKeyPairSync('ed25519');
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig('query', { ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('integrity configuration', () => {
  it('is off by default with hourly windows and a 60 s settle delay', () => {
    const { integrity } = loadConfig('query', base);
    expect(integrity).toEqual({
      signingKey: undefined,
      publicKeys: [],
      windowMs: 3_600_000,
      settleMs: 60_000,
      maxCatchUpWindows: 168,
      jobIntervalMs: 60_000,
    });
  });

  it('reads the signing key and older public keys from PEM text or files', () => {
    const current = ed25519();
    const old = ed25519();
    const dir = mkdtempSync(join(tmpdir(), 'integrity-config-'));
    writeFileSync(join(dir, 'current.pem'), current.privatePem);
    writeFileSync(join(dir, 'old.pem'), old.publicPem);
    const { integrity } = loadConfig('query', {
      ...base,
      INTEGRITY_SIGNING_KEY: join(dir, 'current.pem'),
      INTEGRITY_SIGNING_KEY_ID: 'k2',
      INTEGRITY_PUBLIC_KEYS: `k1=${join(dir, 'old.pem')},k0=${old.publicPem}`,
      INTEGRITY_WINDOW: '30s',
      INTEGRITY_SETTLE_SECONDS: '0',
    });
    expect(integrity.signingKey).toEqual({ id: 'k2', pem: current.privatePem });
    expect(integrity.publicKeys).toEqual([
      { id: 'k1', pem: old.publicPem },
      { id: 'k0', pem: old.publicPem.trim() },
    ]);
    expect(integrity.windowMs).toBe(30_000);
    expect(integrity.settleMs).toBe(0);
    expect(integrity.jobIntervalMs).toBe(30_000);
  });

  it.each([
    [{ INTEGRITY_SIGNING_KEY: '/nonexistent/key.pem' }, 'INTEGRITY_SIGNING_KEY: must be PEM text'],
    [
      {
        INTEGRITY_SIGNING_KEY: generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
      'INTEGRITY_SIGNING_KEY: the signing key must be an Ed25519 key',
    ],
    [
      { INTEGRITY_SIGNING_KEY: ed25519().publicPem },
      'INTEGRITY_SIGNING_KEY: the signing key is not',
    ],
    [{ INTEGRITY_SIGNING_KEY_ID: 'k1' }, 'INTEGRITY_SIGNING_KEY_ID: set without'],
    [{ INTEGRITY_PUBLIC_KEYS: 'k1=/nonexistent.pem' }, 'INTEGRITY_PUBLIC_KEYS: must be PEM text'],
    [{ INTEGRITY_WINDOW: 'hourly' }, 'INTEGRITY_WINDOW: must be a duration'],
    [{ INTEGRITY_WINDOW: '0s' }, 'INTEGRITY_WINDOW: must be longer than zero'],
    [{ INTEGRITY_SETTLE_SECONDS: '-1' }, 'INTEGRITY_SETTLE_SECONDS'],
  ])('rejects %j', (env, expected) => {
    expect(problemsOf(env).join('\n')).toContain(expected);
  });
});
