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
import {
  ACTIVE_STATUSES,
  EXPORT_QUEUE,
  type ExportJobData,
  ExportRepository,
  ExportSlots,
  exportWorkerOptions,
  workerConnection,
} from '@auditlog/export-jobs';
import { ZipLimitError } from '../format/zip-writer';
import { describe, ExportJobRunner, type RunResult } from './export-job.runner';

/** Errors a retry cannot fix: fail the job at once. */
function permanent(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS')
    return new UnrecoverableError(describe(error));
  if (error instanceof ZipLimitError) return new UnrecoverableError(error.message);
  return error;
}

/** The BullMQ worker of the export queue, started once the application is ready. */
@Injectable()
export class ExportProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExportProcessor.name);
  private connection?: Redis;
  /** Whether Redis ever answered: before that no job can have started. */
  private connected = false;
  private worker?: Worker<ExportJobData, RunResult>;

  constructor(
    private readonly runner: ExportJobRunner,
    private readonly exports: ExportRepository,
    private readonly slots: ExportSlots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = workerConnection(this.config);
    this.connection.once('ready', () => {
      this.connected = true;
    });
    this.worker = new Worker<ExportJobData, RunResult>(EXPORT_QUEUE, (job) => this.process(job), {
      ...exportWorkerOptions(this.config),
      connection: this.connection,
    });
    this.worker.on('error', (error) => this.logger.warn(`export worker: ${String(error)}`));
    this.worker.on('stalled', (id) => this.logger.warn(`export job ${id} stalled; retrying it`));
    void this.worker.run().catch((error: unknown) => {
      this.logger.error(`export worker stopped: ${String(error)}`);
    });
  }

  /** Before the queue closes: an active job is finished (and its slot given back) or released. */
  async beforeApplicationShutdown(): Promise<void> {
    // Workers close before their connection, so an active job is finished or released. A
    // worker that never reached Redis (wrong address, CA or password) has no job to finish,
    // and a graceful close would wait for the connection forever: it is forced.
    await this.worker?.close(!this.connected).catch(() => undefined);
    this.connection?.disconnect();
  }

  private async process(job: Job<ExportJobData>): Promise<RunResult> {
    this.logger.log({ msg: 'export job started', id: job.id, request_id: job.data.requestId });
    try {
      const result = await this.runner.run(job);
      this.logger.log({ msg: 'export job ended', id: job.id, ...result });
      await this.releaseIfEnded(job);
      return result;
    } catch (raw) {
      const error = permanent(raw);
      this.logger.warn({ msg: 'export job attempt failed', id: job.id, error: describe(error) });
      await this.runner
        .failed(job, error)
        .catch((recordError: unknown) =>
          this.logger.error(`export ${job.id}: cannot record the failure: ${String(recordError)}`),
        );
      await this.releaseIfEnded(job);
      throw error instanceof Error ? error : new Error(describe(error));
    }
  }

  /**
   * Gives the company's slot back once the record has left queued/running (an attempt to be
   * retried keeps it). A failure here only delays the slot until the maintenance job.
   */
  private async releaseIfEnded(job: Job<ExportJobData>): Promise<void> {
    try {
      const record = await this.exports.get(job.data.exportId);
      if (record && ACTIVE_STATUSES.includes(record.status)) return;
      await this.slots.release(job.data.companyId, job.data.exportId);
    } catch (error) {
      this.logger.warn(`export ${job.id}: slot not given back yet: ${String(error)}`);
    }
  }
}
