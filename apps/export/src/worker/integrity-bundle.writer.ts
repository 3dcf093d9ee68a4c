import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type Digest, describePublicKey, loadIntegrityKeys } from '@auditlog/integrity';
import { DigestRepository, MAX_DIGESTS_PER_REQUEST } from '@auditlog/integrity-store';
import { type ExportRecord, partName } from '@auditlog/export-jobs';

/** 2: `from`/`to` bound `received_at` (`range_field`); version 1 bounded `timestamp`. */
export const MANIFEST_VERSION = 2;

/** The manifest of an export with `include_integrity` (docs/export.md). */
export interface ExportManifest {
  version: number;
  export_id: string;
  company_id: string;
  name: string;
  format: string;
  /**
   * The export's range `[from, to)` over `range_field`: `received_at`, the clock the digests
   * seal by, so the file holds every event of each bundled window and no other.
   */
  range_field: 'received_at';
  from: string;
  to: string;
  rows: number;
  events_bytes: number;
  events_sha256: string;
  digest_count: number;
  digests_sha256: string;
  first_window_start: string | null;
  last_window_end: string | null;
  key_ids: string[];
  /** The public keys of `key_ids` this installation knows; obtain them independently too. */
  public_keys: Array<{ key_id: string; pem: string }>;
  created_at: string;
}

export interface EventsFileSummary {
  rows: number;
  bytes: number;
  sha256: string;
}

export interface IntegrityParts {
  digestsPart: string;
  manifestPart: string;
  manifest: ExportManifest;
}

/**
 * Writes the digests covering an export's range and its manifest as `.part` files; the runner
 * fsyncs and renames them with the events file. Only windows wholly inside `[from, to)` are
 * included: a window reaching outside the range seals events the export does not hold.
 */
@Injectable()
export class IntegrityBundleWriter {
  constructor(
    private readonly digests: DigestRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async covering(companyId: string, from: string, to: string): Promise<Digest[]> {
    const overlapping = await this.digests.list(companyId, from, to, MAX_DIGESTS_PER_REQUEST);
    // Instants compare as numbers: stored digests and request bounds may differ in precision.
    const start = Date.parse(from);
    const end = Date.parse(to);
    return overlapping.filter(
      (digest) => Date.parse(digest.window_start) >= start && Date.parse(digest.window_end) <= end,
    );
  }

  async write(
    dir: string,
    record: ExportRecord,
    events: EventsFileSummary,
  ): Promise<IntegrityParts> {
    const { from, to } = record.query;
    const digests = await this.covering(record.company_id, from, to);
    const digestsText = `${JSON.stringify(digests)}\n`;
    const keyIds = [...new Set(digests.map((digest) => digest.key_id))].sort();
    const known = loadIntegrityKeys(this.config.integrity).verifying;
    const manifest: ExportManifest = {
      version: MANIFEST_VERSION,
      export_id: record.id,
      company_id: record.company_id,
      name: record.name,
      format: record.format,
      range_field: 'received_at',
      from,
      to,
      rows: events.rows,
      events_bytes: events.bytes,
      events_sha256: events.sha256,
      digest_count: digests.length,
      digests_sha256: createHash('sha256').update(digestsText).digest('hex'),
      first_window_start: digests[0]?.window_start ?? null,
      last_window_end: digests[digests.length - 1]?.window_end ?? null,
      key_ids: keyIds,
      public_keys: keyIds.flatMap((keyId) => {
        const key = known.get(keyId);
        return key ? [{ key_id: keyId, pem: describePublicKey(keyId, key).pem }] : [];
      }),
      created_at: new Date().toISOString(),
    };
    const digestsPart = partName(record.id);
    const manifestPart = partName(record.id);
    await writeFile(join(dir, digestsPart), digestsText, { flag: 'wx' });
    await writeFile(join(dir, manifestPart), `${JSON.stringify(manifest, null, 2)}\n`, {
      flag: 'wx',
    });
    return { digestsPart, manifestPart, manifest };
  }
}
