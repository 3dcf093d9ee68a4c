import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { removeExportFiles } from './export-files';
import { EXPORT_QUEUE_TOKEN, type ExportJobData } from './export-queue';
import { ACTIVE_STATUSES } from './export-record';
import { ExportRepository } from './export.repository';

export interface MaintenanceResult {
  expired: string[];
  failed: string[];
}

/**
 * Every EXPORT_MAINTENANCE_INTERVAL_SECONDS: deletes completed files past their expiry
 * (the record turns `expired`), and fails records whose job can no longer end by itself —
 * gone from Redis (restarted without persistence, flushed) or failed there after stalling
 * too often — so no export stays `queued` or `running` forever. Idempotent; replicas may
 * run it at once.
 */
@Injectable()
export class ExportMaintenanceScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExportMaintenanceScheduler.name);
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EXPORT_QUEUE_TOKEN) private readonly queue: Queue<ExportJobData>,
    private readonly exports: ExportRepository,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.export.maintenanceIntervalMs;
    if (every === 0) return;
    const interval = setInterval(() => void this.tick(), every);
    interval.unref();
    this.registry.addInterval('export-maintenance', interval);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const result = await this.runOnce();
      if (result.expired.length + result.failed.length > 0) this.logger.log(result);
    } catch (error) {
      this.logger.warn(`export maintenance failed: ${String(error)}`);
    } finally {
      this.running = false;
    }
  }

  async runOnce(now = new Date()): Promise<MaintenanceResult> {
    return { expired: await this.expire(now), failed: await this.failLost(now) };
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
      if (done) expired.push(record.id);
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
      if (done) failed.push(record.id);
    }
    return failed;
  }
}
