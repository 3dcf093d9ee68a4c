import { Inject, Injectable, Logger } from '@nestjs/common';
import { errors } from '@opensearch-project/opensearch';
import type { Queue } from 'bullmq';
import type { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { MetricsService } from '@auditlog/platform';
import {
  ACTIVE_STATUSES,
  EXPORT_QUEUE_TOKEN,
  type ExportJobData,
  ExportRepository,
  ExportSlots,
  removeExportFiles,
} from '@auditlog/export-jobs';

export interface MaintenanceResult {
  expired: string[];
  failed: string[];
  /** Export slots given back because their export had ended (or never came to exist). */
  released: string[];
}

/**
 * The `exports.maintain` job: deletes completed files past their expiry (the record turns
 * `expired`), and fails records whose job can no longer end by itself — gone from Redis
 * (restarted without persistence, flushed) or failed there after stalling too often — so no
 * export stays `queued` or `running` forever. Every transition is compare-and-set, so a
 * run taken over from a dead replica cannot expire or fail a record twice.
 */
@Injectable()
export class ExportMaintenanceJob {
  private readonly logger = new Logger(ExportMaintenanceJob.name);
  private readonly filesRemoved: Counter;
  private readonly lostFailed: Counter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EXPORT_QUEUE_TOKEN) private readonly queue: Queue<ExportJobData>,
    private readonly exports: ExportRepository,
    private readonly slots: ExportSlots,
    metrics: MetricsService,
  ) {
    this.filesRemoved = metrics.counter(
      'auditlog_export_files_expired_total',
      'Completed exports whose files were deleted at expiry',
    );
    this.lostFailed = metrics.counter(
      'auditlog_export_jobs_lost_total',
      'Export records failed because their job was lost or gave up',
    );
  }

  async runOnce(now = new Date()): Promise<MaintenanceResult> {
    try {
      const result = {
        expired: await this.expire(now),
        failed: await this.failLost(now),
        released: await this.releaseEnded(now),
      };
      if (result.expired.length + result.failed.length + result.released.length > 0)
        this.logger.log(result);
      return result;
    } catch (error) {
      // No export was ever created: the history index does not exist yet.
      if (error instanceof errors.ResponseError && error.statusCode === 404)
        return { expired: [], failed: [], released: [] };
      throw error;
    }
  }

  /**
   * Slots whose export has ended or is absent. A slot younger than the grace may belong to
   * a request that is still creating its record, so it is left to the next run.
   */
  private async releaseEnded(now: Date): Promise<string[]> {
    const grace = Math.max(this.config.export.maintenanceIntervalMs, 60_000);
    const released: string[] = [];
    for (const slot of await this.slots.held()) {
      if (now.getTime() - slot.since.getTime() < grace) continue;
      const record = await this.exports.get(slot.exportId);
      if (record && ACTIVE_STATUSES.includes(record.status)) continue;
      await this.slots.release(slot.companyId, slot.exportId);
      released.push(slot.exportId);
    }
    return released;
  }

  private async expire(now: Date): Promise<string[]> {
    const due = await this.exports.find(['completed'], { expires_at: { lte: now.toISOString() } });
    const expired: string[] = [];
    for (const record of due) {
      await removeExportFiles(this.config.export.dir, record);
      const done = await this.exports.transition(record.id, ['completed'], {
        status: 'expired',
        file: null,
        digests_file: null,
        manifest_file: null,
      });
      if (done) {
        expired.push(record.id);
        this.filesRemoved.inc();
        this.logger.log(
          { event: 'export.expired', export_id: record.id, company_id: record.company_id },
          `export ${record.id} expired: its files were deleted`,
        );
      }
    }
    return expired;
  }

  private async failLost(now: Date): Promise<string[]> {
    // A record only just created may not have its job yet: leave it one interval.
    const grace = Math.max(this.config.export.maintenanceIntervalMs, 1000);
    const quiet = await this.exports.find(ACTIVE_STATUSES, {
      updated_at: { lt: new Date(now.getTime() - grace).toISOString() },
    });
    const failed: string[] = [];
    for (const record of quiet) {
      const job = await this.queue.getJob(record.id);
      const state = job ? await job.getState() : 'missing';
      let error: string | undefined;
      if (state === 'missing' || state === 'unknown') {
        error =
          'The export job was lost from the queue (Redis restarted without persistence or was flushed). Create the export again.';
      } else if (state === 'failed') {
        error = `The export job failed: ${job?.failedReason ?? 'unknown reason'}`;
      } else if (state === 'completed') {
        error = 'The export job ended without recording its result. Create the export again.';
      }
      if (!error) continue;
      const done = await this.exports.transition(record.id, ACTIVE_STATUSES, {
        status: 'failed',
        error,
        completed_at: now.toISOString(),
      });
      if (done) {
        failed.push(record.id);
        this.lostFailed.inc();
        await this.slots.release(record.company_id, record.id);
      }
    }
    return failed;
  }
}
