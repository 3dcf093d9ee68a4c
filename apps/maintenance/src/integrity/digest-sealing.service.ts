import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  buildDigest,
  type Digest,
  isoMs,
  type IntegrityKeys,
  type LeafSource,
  type SigningKey,
  windowAfter,
  windowStartOf,
} from '@auditlog/integrity';
import { MetricsService } from '@auditlog/platform';
import { DigestRepository } from '@auditlog/integrity-store';
import { ReceivedEventsReader } from '@auditlog/opensearch';

export const INTEGRITY_KEYS = Symbol('INTEGRITY_KEYS');

export interface DigestRunSummary {
  /** Digests this run created (windows another replica sealed first are not counted). */
  created: number;
  companies: number;
}

interface ChainStart {
  companyId: string;
  previous: Digest | null;
  nextStart: number;
}

/**
 * Seals closed `received_at` windows of every company into signed, chained digests. The
 * maintenance worker runs it as the `integrity.seal-digests` job, so one replica runs each
 * scheduled run. Overlapping runs (a run requested by hand, a stalled job taken over) stay
 * safe: a digest's id is `<company>:<window_start>` and is written create-only, so the
 * first writer wins and the others continue the chain from its digest.
 */
@Injectable()
export class DigestSealingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DigestSealingService.name);
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly sealed: Counter;
  private readonly runs: Counter<'outcome'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INTEGRITY_KEYS) private readonly keys: IntegrityKeys,
    private readonly digests: DigestRepository,
    private readonly events: ReceivedEventsReader,
    metrics: MetricsService,
  ) {
    this.sealed = metrics.counter(
      'auditlog_integrity_digests_created_total',
      'Digest windows sealed by this replica',
    );
    this.runs = metrics.counter('auditlog_integrity_job_runs_total', 'Digest job runs', [
      'outcome',
    ]);
  }

  /** The digests index is created by its only writer (and the setup job). */
  async onApplicationBootstrap(): Promise<void> {
    await this.digests.ensureIndex();
    if (!this.keys.signing)
      this.logger.log('INTEGRITY_SIGNING_KEY is unset: no digests are written');
  }

  /** Stops between windows on shutdown; a later run continues the chain from there. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running.catch(() => undefined);
  }

  /** One job run: counted and logged; the error is rethrown so the job records it. */
  async runJob(now: Date): Promise<DigestRunSummary> {
    try {
      const summary = await this.run(now);
      this.runs.inc({ outcome: 'success' });
      if (summary.created > 0) this.logger.log(`sealed ${summary.created} digest window(s)`);
      return summary;
    } catch (error) {
      this.runs.inc({ outcome: 'failure' });
      this.logger.error(`digest run failed: ${(error as Error).message}`);
      throw error;
    }
  }

  /** One run over every company; runs in this process never overlap. */
  run(now: Date = new Date()): Promise<DigestRunSummary> {
    const next = this.running.catch(() => undefined).then(() => this.runExclusive(now));
    this.running = next;
    return next;
  }

  private async runExclusive(now: Date): Promise<DigestRunSummary> {
    const signing = this.keys.signing;
    if (!signing || this.stopped) return { created: 0, companies: 0 };
    const { windowMs, settleMs, maxCatchUpWindows } = this.config.integrity;
    const closedUntil = windowStartOf(now.getTime() - settleMs, windowMs);
    const starts = await this.chainStarts(closedUntil - maxCatchUpWindows * windowMs, closedUntil);
    let created = 0;
    for (const start of starts) {
      if (this.stopped) break;
      created += await this.sealCompany(start, closedUntil, signing, now);
    }
    // Digests are few and read right after sealing (downloads, verification): show them now.
    if (created > 0) await this.digests.refresh();
    return { created, companies: starts.length };
  }

  /**
   * Where each company's chain continues: after its last digest, or — for a company whose
   * events were never sealed — at the window of its first event within the catch-up horizon.
   */
  private async chainStarts(horizon: number, closedUntil: number): Promise<ChainStart[]> {
    await this.digests.refresh();
    const heads = await this.digests.chainHeads();
    const starts = new Map<string, ChainStart>(
      heads.map((head) => [
        head.companyId,
        {
          companyId: head.companyId,
          previous: head.last,
          nextStart: Date.parse(head.last.window_end),
        },
      ]),
    );
    if (horizon < closedUntil) {
      const active = await this.events.companies(isoMs(horizon), isoMs(closedUntil));
      for (const company of active) {
        if (starts.has(company.companyId)) continue;
        const first = windowStartOf(
          Date.parse(company.firstReceivedAt),
          this.config.integrity.windowMs,
        );
        starts.set(company.companyId, {
          companyId: company.companyId,
          previous: null,
          nextStart: first,
        });
      }
    }
    return [...starts.values()];
  }

  private async sealCompany(
    start: ChainStart,
    closedUntil: number,
    signing: SigningKey,
    now: Date,
  ): Promise<number> {
    const { windowMs, maxCatchUpWindows } = this.config.integrity;
    let previous = start.previous;
    let windowStart = start.nextStart;
    let created = 0;
    for (let sealed = 0; sealed < maxCatchUpWindows && !this.stopped; sealed += 1) {
      const window = windowAfter(windowStart, windowMs);
      if (window.end > closedUntil) break;
      const from = isoMs(window.start);
      const to = isoMs(window.end);
      const leaves: LeafSource[] = [];
      for await (const leaf of this.events.scan<LeafSource>(start.companyId, from, to, [
        'id',
        'received_at',
        'hash',
      ])) {
        leaves.push(leaf);
      }
      const digest = buildDigest(
        {
          companyId: start.companyId,
          windowStart: from,
          windowEnd: to,
          events: leaves,
          previous,
          keyId: signing.keyId,
          createdAt: now.toISOString(),
        },
        signing.privateKey,
      );
      if (await this.digests.create(digest)) {
        previous = digest;
        created += 1;
        this.sealed.inc();
        this.logger.log(
          { event: 'integrity.digest_sealed', company_id: start.companyId, window_start: from },
          `sealed digest ${start.companyId}:${from}`,
        );
      } else {
        // Another replica sealed this window first: its digest is the chain.
        const existing = await this.digests.get(start.companyId, from);
        if (!existing)
          throw new Error(`digest ${start.companyId}:${from} vanished after a conflict`);
        previous = existing;
      }
      windowStart = window.end;
    }
    return created;
  }
}
