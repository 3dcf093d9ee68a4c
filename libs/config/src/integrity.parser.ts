import { readFileSync } from 'node:fs';
import {
  keyFingerprint,
  parsePrivateKey,
  parsePublicKey,
  parseWindow,
  signingKeyFromPem,
} from '@auditlog/integrity';
import type { IntegrityConfig, IntegrityKey } from './app-config';
import type { EnvSchema } from './env.schema';

/** PEM text is used as is; anything else is the path of a PEM file. */
function pemOrFile(value: string, name: string, problems: string[]): string | undefined {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value.trim(), 'utf8');
  } catch {
    problems.push(`${name}: must be PEM text or the path of a readable PEM file`);
    return undefined;
  }
}

function readSigningKey(env: EnvSchema, problems: string[]): IntegrityKey | undefined {
  if (!env.INTEGRITY_SIGNING_KEY) {
    if (env.INTEGRITY_SIGNING_KEY_ID) {
      problems.push('INTEGRITY_SIGNING_KEY_ID: set without INTEGRITY_SIGNING_KEY');
    }
    return undefined;
  }
  const pem = pemOrFile(env.INTEGRITY_SIGNING_KEY, 'INTEGRITY_SIGNING_KEY', problems);
  if (!pem) return undefined;
  try {
    parsePrivateKey(pem);
  } catch (error) {
    problems.push(`INTEGRITY_SIGNING_KEY: ${(error as Error).message}`);
    return undefined;
  }
  return { id: signingKeyFromPem(pem, env.INTEGRITY_SIGNING_KEY_ID).keyId, pem };
}

/** `id=PEM-or-path` entries separated by commas or new lines; `id=` may be omitted. */
function readPublicKeys(text: string | undefined, problems: string[]): IntegrityKey[] {
  if (!text) return [];
  const keys: IntegrityKey[] = [];
  // PEM bodies contain new lines but never commas, so only commas split inline PEM safely.
  const entries = text.includes('-----BEGIN') ? text.split(',') : text.split(/[,\n]/);
  for (const entry of entries.map((item) => item.trim()).filter(Boolean)) {
    const [, id, source = entry] = /^([A-Za-z0-9._:-]{1,64})=(.+)$/s.exec(entry) ?? [];
    const pem = pemOrFile(source, 'INTEGRITY_PUBLIC_KEYS', problems);
    if (!pem) continue;
    try {
      const publicKey = parsePublicKey(pem);
      keys.push({ id: id ?? keyFingerprint(publicKey), pem });
    } catch (error) {
      problems.push(`INTEGRITY_PUBLIC_KEYS: ${(error as Error).message}`);
    }
  }
  return keys;
}

export function readIntegrityConfig(env: EnvSchema, problems: string[]): IntegrityConfig {
  const windowMs = parseWindow(env.INTEGRITY_WINDOW ?? '1h');
  if (
    windowMs === undefined &&
    env.INTEGRITY_WINDOW !== undefined &&
    /\d/.test(env.INTEGRITY_WINDOW)
  ) {
    problems.push('INTEGRITY_WINDOW: must be longer than zero');
  }
  return {
    signingKey: readSigningKey(env, problems),
    publicKeys: readPublicKeys(env.INTEGRITY_PUBLIC_KEYS, problems),
    windowMs: windowMs ?? 3_600_000,
    settleMs: (env.INTEGRITY_SETTLE_SECONDS ?? 60) * 1000,
    maxCatchUpWindows: env.INTEGRITY_MAX_CATCH_UP_WINDOWS ?? 168,
    jobIntervalMs:
      env.INTEGRITY_JOB_INTERVAL_SECONDS !== undefined
        ? env.INTEGRITY_JOB_INTERVAL_SECONDS * 1000
        : Math.min(windowMs ?? 3_600_000, 60_000),
  };
}
