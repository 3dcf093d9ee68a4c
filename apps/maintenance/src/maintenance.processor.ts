import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { IndexPreCreator } from '@auditlog/retention';
import { ExportMaintenanceJob } from './exports/export-maintenance.job';
import { DigestSealingService } from './integrity/digest-sealing.service';
import {
  MAINTENANCE_JOB_NAMES,
  MAINTENANCE_QUEUE,
  MaintenanceJob,
  type MaintenanceJobData,
  type MaintenanceJobName,
  maintenanceWorkerConnection,
  maintenanceWorkerOptions,
} from './maintenance-queue';
import { RetentionSweepJob } from './retention/retention-sweep.job';

function isJobName(name: string): name is MaintenanceJobName {
  return (MAINTENANCE_JOB_NAMES as readonly string[]).includes(name);
}

/** The BullMQ worker of the maintenance queue: one job at a time, dispatched by name. */
@Injectable()
export class MaintenanceProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private connection?: Redis;
  private worker?: Worker<MaintenanceJobData, unknown, string>;
  private crashed = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly digests: DigestSealingService,
    private readonly retention: RetentionSweepJob,
    private readonly exports: ExportMaintenanceJob,
    private readonly indices: IndexPreCreator,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = maintenanceWorkerConnection(this.config);
    this.worker = new Worker<MaintenanceJobData, unknown, string>(
      MAINTENANCE_QUEUE,
      (job) => this.process(job),
      { ...maintenanceWorkerOptions(this.config), connection: this.connection },
    );
    this.worker.on('error', (error) => this.logger.warn(`maintenance worker: ${String(error)}`));
    this.worker.on('stalled', (id) => this.logger.warn(`maintenance job ${id} stalled`));
    void this.worker.run().catch((error: unknown) => {
      this.crashed = true;
      this.logger.error(`maintenance worker stopped: ${String(error)}`);
    });
  }

  /** Before the queues close: an active job is finished (sealing stops between windows). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    this.connection?.disconnect();
    this.logger.log('maintenance worker closed');
  }

  /** Live while the worker loop has not died; ready once it is taking jobs. */
  get alive(): boolean {
    return !this.crashed && this.worker !== undefined && !this.worker.closing;
  }

  get running(): boolean {
    return this.alive && (this.worker?.isRunning() ?? false);
  }

  private async process(job: Job<MaintenanceJobData, unknown, string>): Promise<unknown> {
    if (!isJobName(job.name)) throw new UnrecoverableError(`unknown maintenance job ${job.name}`);
    const now = job.data.now ? new Date(job.data.now) : new Date();
    const started = Date.now();
    const result = await this.run(job.name, now);
    this.logger.log({
      event: 'maintenance.job_done',
      job: job.name,
      job_id: job.id,
      scheduler: job.repeatJobKey ?? null,
      ms: Date.now() - started,
      result,
    });
    return result;
  }

  private run(name: MaintenanceJobName, now: Date): Promise<unknown> {
    switch (name) {
      case MaintenanceJob.sealDigests:
        return this.digests.runJob(now);
      case MaintenanceJob.sweepRetention:
        return this.retention.runOnce(now);
      case MaintenanceJob.maintainExports:
        return this.exports.runOnce(now);
      case MaintenanceJob.ensureIndices:
        return this.indices.ensure(now);
    }
  }
}
