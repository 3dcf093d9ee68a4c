import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  EXPORT_QUEUE,
  type ExportJobData,
  exportWorkerOptions,
  workerConnection,
} from '@auditlog/export-jobs';
import { describe, ExportJobRunner, type RunResult } from './export-job.runner';

/** Errors a retry cannot fix: fail the job at once. */
function permanent(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS')
    return new UnrecoverableError(describe(error));
  return error;
}

/** The BullMQ worker of the export queue, started once the application is ready. */
@Injectable()
export class ExportProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExportProcessor.name);
  private connection?: Redis;
  private worker?: Worker<ExportJobData, RunResult>;

  constructor(
    private readonly runner: ExportJobRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = workerConnection(this.config);
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

  async onApplicationShutdown(): Promise<void> {
    // Workers close before their connection, so an active job is finished or released.
    await this.worker?.close().catch(() => undefined);
    this.connection?.disconnect();
  }

  private async process(job: Job<ExportJobData>): Promise<RunResult> {
    this.logger.log({ msg: 'export job started', id: job.id, request_id: job.data.requestId });
    try {
      const result = await this.runner.run(job);
      this.logger.log({ msg: 'export job ended', id: job.id, ...result });
      return result;
    } catch (raw) {
      const error = permanent(raw);
      this.logger.warn({ msg: 'export job attempt failed', id: job.id, error: describe(error) });
      await this.runner
        .failed(job, error)
        .catch((recordError: unknown) =>
          this.logger.error(`export ${job.id}: cannot record the failure: ${String(recordError)}`),
        );
      throw error instanceof Error ? error : new Error(describe(error));
    }
  }
}
