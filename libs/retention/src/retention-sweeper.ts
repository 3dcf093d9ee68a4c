import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { EventIndexCatalog, type EventIndexInfo, OPENSEARCH_CLIENT } from '@auditlog/opensearch';
import { isClosedForWrites, isExpired } from './retention-rules';

export interface SweepPlan {
  /** Every event in these indices is past its class's retention. */
  delete: EventIndexInfo[];
  /** Closed for writes but not yet marked read-only. */
  readOnly: EventIndexInfo[];
}

export interface SweepResult {
  deleted: Array<{ index: string; retentionClass: string; docs: number }>;
  madeReadOnly: string[];
}

/**
 * Retention without ISM: deletes events indices whose whole period is past their class's
 * retention, and write-blocks indices whose period has closed. Indices are judged by name
 * only; an index of a class no longer configured is left alone (and logged), never guessed.
 * Every step is idempotent, so concurrent sweeps can only repeat each other's work.
 */
@Injectable()
export class RetentionSweeper {
  private readonly logger = new Logger(RetentionSweeper.name);
  private readonly retentionDays: Map<string, number>;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalog: EventIndexCatalog,
  ) {
    this.retentionDays = new Map(config.retention.classes.map((entry) => [entry.name, entry.days]));
  }

  plan(indices: readonly EventIndexInfo[], now: Date): SweepPlan {
    const plan: SweepPlan = { delete: [], readOnly: [] };
    for (const index of indices) {
      const days = this.retentionDays.get(index.retentionClass);
      if (days === undefined) continue;
      if (isExpired(index.end, days, now)) plan.delete.push(index);
      else if (
        !index.readOnly &&
        isClosedForWrites(index.end, this.config.retention.readOnlyAfterDays, now)
      ) {
        plan.readOnly.push(index);
      }
    }
    return plan;
  }

  async sweep(now = new Date()): Promise<SweepResult> {
    const indices = await this.catalog.list();
    for (const index of indices) {
      if (!this.retentionDays.has(index.retentionClass)) {
        this.logger.warn(
          `index ${index.index} belongs to retention class "${index.retentionClass}", which is not configured; it is kept`,
        );
      }
    }
    const plan = this.plan(indices, now);
    const result: SweepResult = { deleted: [], madeReadOnly: [] };
    for (const index of plan.delete) {
      await this.client.indices.delete({ index: index.index }, { ignore: [404] });
      this.logger.log(
        {
          event: 'retention.index_deleted',
          index: index.index,
          retention_class: index.retentionClass,
          period_start: index.start.toISOString(),
          period_end: index.end.toISOString(),
          docs: index.docs,
        },
        `deleted index ${index.index}: all ${index.docs} events are past the ${index.retentionClass} retention`,
      );
      result.deleted.push({
        index: index.index,
        retentionClass: index.retentionClass,
        docs: index.docs,
      });
    }
    // In chunks, so that a first sweep over a long history keeps request lines short.
    for (let start = 0; start < plan.readOnly.length; start += 50) {
      const names = plan.readOnly.slice(start, start + 50).map((index) => index.index);
      await this.client.indices.putSettings({
        index: names.join(','),
        ignore_unavailable: true,
        body: { 'index.blocks.write': true },
      });
      this.logger.log(`made read-only: ${names.join(', ')}`);
      result.madeReadOnly.push(...names);
    }
    return result;
  }
}
