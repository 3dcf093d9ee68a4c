import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type StoredEvent, toOwnerView } from '@auditlog/events';
import { type Digest, Verifier, type VerifyReport } from '@auditlog/integrity';
import { ProblemException } from '@auditlog/problem';
import { DigestRepository, MAX_DIGESTS_PER_REQUEST } from '@auditlog/integrity-store';
import { ReceivedEventsReader } from '@auditlog/opensearch';
import { INTEGRITY_KEYS, type IntegrityKeys } from './integrity-keys';
import type { IntegrityRange } from './integrity-range';

const DAY_MS = 86_400_000;

export type VerifyAnswer =
  | { status: 'not_configured'; detail: string }
  | (VerifyReport & { company_id: string; from: string; to: string });

@Injectable()
export class IntegrityVerifyService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INTEGRITY_KEYS) private readonly keys: IntegrityKeys,
    private readonly digests: DigestRepository,
    private readonly events: ReceivedEventsReader,
  ) {}

  get configured(): boolean {
    return this.keys.verifying.size > 0;
  }

  async listDigests(companyId: string, range: IntegrityRange): Promise<Digest[]> {
    const digests = await this.digests.list(
      companyId,
      range.from,
      range.to,
      MAX_DIGESTS_PER_REQUEST + 1,
    );
    if (digests.length > MAX_DIGESTS_PER_REQUEST) {
      throw ProblemException.badRequest(
        `The range holds more than ${MAX_DIGESTS_PER_REQUEST} digests; ask for a shorter range.`,
        [{ path: 'from', message: 'the range holds too many digest windows' }],
      );
    }
    return digests;
  }

  /** Recomputes every hash, root, signature and link of the company's range from storage. */
  async verify(companyId: string, range: IntegrityRange, now: Date): Promise<VerifyAnswer> {
    if (!this.configured) {
      return {
        status: 'not_configured',
        detail: 'No integrity keys are configured (INTEGRITY_SIGNING_KEY / INTEGRITY_PUBLIC_KEYS).',
      };
    }
    const digests = await this.listDigests(companyId, range);
    const first = digests[0];
    const last = digests[digests.length - 1];
    const predecessor = first
      ? ((await this.digests.endingAt(companyId, first.window_start)) ?? null)
      : undefined;
    const verifier = new Verifier({
      digests,
      predecessor,
      keys: this.keys.verifying,
      expiredBefore: this.retentionCutoff(now),
    });
    // Whole windows are checked, so the scan may reach slightly outside [from, to).
    const from = first && first.window_start < range.from ? first.window_start : range.from;
    const to = last && last.window_end > range.to ? last.window_end : range.to;
    for await (const stored of this.events.scan<StoredEvent>(companyId, from, to, {
      excludes: [],
    })) {
      verifier.addEvent(toOwnerView(stored));
    }
    return { ...verifier.finish(), company_id: companyId, from, to };
  }

  /**
   * Windows ending before this instant may have lost events to retention. Companies use the
   * default retention class until per-company classes reach the query app.
   */
  private retentionCutoff(now: Date): string {
    const retention = this.config.retention;
    const days =
      retention.classes.find((candidate) => candidate.name === retention.defaultClass)?.days ?? 0;
    return new Date(now.getTime() - days * DAY_MS).toISOString();
  }
}
