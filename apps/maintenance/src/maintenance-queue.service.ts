import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  MAINTENANCE_QUEUE,
  type MaintenanceJobData,
  type MaintenanceJobName,
  maintenanceJobOptions,
  maintenanceQueueConnection,
  maintenanceSchedules,
  maintenanceWorkerConnection,
} from './maintenance-queue';

/**
 * The producer side of the maintenance queue: at start it upserts one BullMQ job scheduler
 * per job (id = job name, `every` = the job's interval setting), or removes it when the
 * setting is 0. Every replica upserts the same schedulers; BullMQ keeps one of each and
 * adds each iteration's job once, with a deterministic id, so N replicas run it once.
 */
@Injectable()
export class MaintenanceQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceQueue.name);
  private readonly connection: Redis;
  readonly queue: Queue<MaintenanceJobData, unknown, MaintenanceJobName>;
  private events?: QueueEvents;
  private eventsConnection?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = maintenanceQueueConnection(config);
    this.queue = new Queue<MaintenanceJobData, unknown, MaintenanceJobName>(MAINTENANCE_QUEUE, {
      connection: this.connection,
      prefix: config.redis.keyPrefix,
      defaultJobOptions: maintenanceJobOptions(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const { name, everyMs } of maintenanceSchedules(this.config)) {
      if (everyMs > 0) {
        await this.queue.upsertJobScheduler(
          name,
          { every: everyMs },
          { name, data: {}, opts: maintenanceJobOptions() },
        );
        this.logger.log(`job ${name} scheduled every ${everyMs / 1000} s`);
      } else {
        await this.queue.removeJobScheduler(name);
        this.logger.log(`job ${name} is not scheduled (its interval is 0)`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events?.close().catch(() => undefined);
    this.eventsConnection?.disconnect();
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }

  /**
   * Adds a one-off run of `name` (outside its schedule) and waits for a worker of any
   * replica to finish it; answers the job's result. For operators' tools and tests.
   */
  async runNow<R>(name: MaintenanceJobName, now?: Date, timeoutMs = 60_000): Promise<R> {
    if (!this.events) {
      this.eventsConnection = maintenanceWorkerConnection(this.config);
      this.events = new QueueEvents(MAINTENANCE_QUEUE, {
        connection: this.eventsConnection,
        prefix: this.config.redis.keyPrefix,
      });
      await this.events.waitUntilReady();
    }
    const job = await this.queue.add(name, now ? { now: now.toISOString() } : {});
    return (await job.waitUntilFinished(this.events, timeoutMs)) as R;
  }
}
