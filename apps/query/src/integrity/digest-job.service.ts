import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  buildDigest,
  type Digest,
  isoMs,
  type LeafSource,
  type SigningKey,
  windowAfter,
  windowStartOf,
} from '@auditlog/integrity';
import { MetricsService } from '@auditlog/platform';
import { DigestRepository } from '@auditlog/storage';
import { INTEGRITY_KEYS, type IntegrityKeys } from './integrity-keys';
import { ReceivedEventsReader } from './received-events.reader';

const INTERVAL_NAME = 'integrity-digests';

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
 * Seals closed `received_at` windows of every company into signed, chained digests.
 * Replicas may run it at once: a digest's id is `<company>:<window_start>` and is written
 * create-only, so the first writer wins and the others continue the chain from its digest.
 */
@Injectable()
export class DigestJobService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DigestJobService.name);
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private ticking = false;
  private readonly sealed: Counter;
  private readonly runs: Counter<'outcome'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INTEGRITY_KEYS) private readonly keys: IntegrityKeys,
    private readonly digests: DigestRepository,
    private readonly events: ReceivedEventsReader,
    private readonly scheduler: SchedulerRegistry,
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

  async onApplicationBootstrap(): Promise<void> {
    await this.digests.ensureIndex();
    if (!this.keys.signing) {
      this.logger.log('INTEGRITY_SIGNING_KEY is unset: no digests are written');
      return;
    }
    const every = this.config.integrity.jobIntervalMs;
    if (every === 0) {
      this.logger.log('INTEGRITY_JOB_INTERVAL_SECONDS is 0: the digest job is not scheduled');
      return;
    }
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.tick(), every),
    );
    // Catch up on windows closed while no replica was running.
    void this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) {
      this.scheduler.deleteInterval(INTERVAL_NAME);
    }
    await this.running.catch(() => undefined);
  }

  /** A scheduled run; skipped while the previous one is still going, so runs never pile up. */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const summary = await this.run();
      this.runs.inc({ outcome: 'success' });
      if (summary.created > 0) this.logger.log(`sealed ${summary.created} digest window(s)`);
    } catch (error) {
      this.runs.inc({ outcome: 'failure' });
      this.logger.error(`digest run failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
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
