import type { StreamSecretKey } from './app-config';

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The id of the key given alone in STREAM_SECRETS_KEY. */
export const SINGLE_STREAM_KEY_ID = 'default';

function decodeKey(name: string, text: string, problems: string[]): Buffer | undefined {
  const trimmed = text.trim();
  const key = BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  if (!key || key.length !== 32) {
    problems.push(
      `${name}: must be the base64 of exactly 32 random bytes (openssl rand -base64 32)`,
    );
    return undefined;
  }
  return key;
}

/**
 * The keys of the stream secret box: `STREAM_SECRETS_KEY` (one key, id `default`) or
 * `STREAM_SECRETS_KEYS` (`id:base64,id:base64,…`; the first encrypts, all decrypt). No key:
 * streams without secrets still work; secrets are refused until one is set.
 */
export function readStreamSecretKeys(
  single: string | undefined,
  list: string | undefined,
  problems: string[],
): StreamSecretKey[] {
  if (single && list) {
    problems.push(
      'STREAM_SECRETS_KEYS: set either STREAM_SECRETS_KEY or STREAM_SECRETS_KEYS, not both',
    );
    return [];
  }
  if (single) {
    const key = decodeKey('STREAM_SECRETS_KEY', single, problems);
    return key ? [{ id: SINGLE_STREAM_KEY_ID, key }] : [];
  }
  const keys: StreamSecretKey[] = [];
  for (const entry of (list ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator) : '';
    if (!KEY_ID.test(id)) {
      problems.push(
        'STREAM_SECRETS_KEYS: each entry is <id>:<base64 key>, the id 1-32 characters [A-Za-z0-9._-]',
      );
      continue;
    }
    if (keys.some((known) => known.id === id)) {
      problems.push(`STREAM_SECRETS_KEYS: key id "${id}" is given twice`);
      continue;
    }
    const key = decodeKey(`STREAM_SECRETS_KEYS (${id})`, entry.slice(separator + 1), problems);
    if (key) keys.push({ id, key });
  }
  return keys;
}
