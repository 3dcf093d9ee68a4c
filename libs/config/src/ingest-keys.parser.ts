import type { IngestKeyRecord } from './app-config';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;
const COMPANY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface ParsedIngestKeys {
  keys: IngestKeyRecord[];
  errors: string[];
}

/**
 * Parses `<key_id>:<sha256 hex>:<companies>` entries separated by commas or newlines.
 * Blank lines and lines starting with `#` are ignored so a keys file can carry comments.
 */
export function parseIngestKeys(text: string): ParsedIngestKeys {
  const keys: IngestKeyRecord[] = [];
  const errors: string[] = [];
  const seenIds = new Set<string>();
  const entries = text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));

  entries.forEach((entry, index) => {
    const [id = '', hash = '', companies, ...rest] = entry.split(':');
    const where = `entry ${index + 1}`;
    if (rest.length > 0 || companies === undefined) {
      errors.push(`${where}: expected <key_id>:<sha256 hex>:<companies>`);
      return;
    }
    if (!KEY_ID.test(id)) errors.push(`${where}: key id "${id}" must match ${KEY_ID.source}`);
    if (seenIds.has(id)) errors.push(`${where}: key id "${id}" is used twice`);
    if (!SHA256_HEX.test(hash.toLowerCase())) {
      errors.push(`${where}: key "${id}" needs the SHA-256 of its secret as 64 hex characters`);
    }
    const companyList = companies === '*' ? '*' : companies.split('|');
    if (companyList !== '*' && !companyList.every((company) => COMPANY_ID.test(company))) {
      errors.push(`${where}: key "${id}" companies must be "*" or ids joined by "|"`);
    }
    seenIds.add(id);
    keys.push({ id, sha256: hash.toLowerCase(), companies: companyList });
  });
  return { keys, errors };
}
