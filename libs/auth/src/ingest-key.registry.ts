import { createHash, timingSafeEqual } from 'node:crypto';
import type { IngestKeyRecord } from '@auditlog/config';

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Looks up ingest keys by the hash of the presented secret; secrets are never held. */
export class IngestKeyRegistry {
  private readonly byHash = new Map<string, IngestKeyRecord>();

  constructor(keys: readonly IngestKeyRecord[]) {
    for (const key of keys) this.byHash.set(key.sha256, key);
  }

  authenticate(secret: string): IngestKeyRecord | undefined {
    const digest = sha256Hex(secret);
    const key = this.byHash.get(digest);
    // The map lookup already matched; the constant-time compare keeps the check honest
    // should the lookup ever become a scan.
    return key && timingSafeEqual(Buffer.from(key.sha256), Buffer.from(digest)) ? key : undefined;
  }
}

export function mayWriteFor(key: IngestKeyRecord, companyId: string): boolean {
  return key.companies === '*' || key.companies.includes(companyId);
}

/** The company a key writes for when events omit `company_id`. */
export function boundCompany(key: IngestKeyRecord): string | undefined {
  return key.companies !== '*' && key.companies.length === 1 ? key.companies[0] : undefined;
}
