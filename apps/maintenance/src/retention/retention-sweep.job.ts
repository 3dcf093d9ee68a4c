import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '@auditlog/platform';
import { IsmService, RetentionSweeper, type SweepResult } from '@auditlog/retention';

export type SweepRun =
  { status: 'swept'; result: SweepResult } | { status: 'skipped'; reason: string };

/**
 * The `retention.sweep` job: runs the retention sweeper where ISM is absent. The job
 * scheduler hands each run to one replica, so no lock is needed; the sweep itself is
 * idempotent, so a run taken over from a dead replica only repeats harmless work.
 */
@Injectable()
export class RetentionSweepJob {
  private readonly deletedIndices: Counter<'retention_class'>;
  private readonly sweeps: Counter<'status'>;

  constructor(
    private readonly sweeper: RetentionSweeper,
    private readonly ism: IsmService,
    metrics: MetricsService,
  ) {
    this.deletedIndices = metrics.counter(
      'auditlog_retention_indices_deleted_total',
      'Events indices deleted by the retention sweeper',
      ['retention_class'],
    );
    this.sweeps = metrics.counter('auditlog_retention_sweeps_total', 'Retention sweeper runs', [
      'status',
    ]);
  }

  async runOnce(now = new Date()): Promise<SweepRun> {
    if (await this.ism.available()) {
      this.sweeps.inc({ status: 'skipped' });
      return { status: 'skipped', reason: 'ISM enforces retention' };
    }
    try {
      const result = await this.sweeper.sweep(now);
      for (const deleted of result.deleted)
        this.deletedIndices.inc({ retention_class: deleted.retentionClass });
      this.sweeps.inc({ status: 'swept' });
      return { status: 'swept', result };
    } catch (error) {
      this.sweeps.inc({ status: 'failed' });
      throw error;
    }
  }
}
