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

/** How long start-up waits for the schedulers before it goes on without them. */
const BOOT_WAIT_MS = 5_000;

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
  private installed = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = maintenanceQueueConnection(config);
    this.queue = new Queue<MaintenanceJobData, unknown, MaintenanceJobName>(MAINTENANCE_QUEUE, {
      connection: this.connection,
      prefix: config.redis.keyPrefix,
      defaultJobOptions: maintenanceJobOptions(),
    });
    this.queue.on('error', (error) => this.logger.warn(`maintenance queue: ${String(error)}`));
    // A Redis that restarts without persistence comes back without the schedulers: put them
    // back on every reconnect (an upsert of the same schedule changes nothing).
    this.connection.on('ready', () => {
      if (this.installed && !this.stopped)
        this.install().catch((error: unknown) => this.retryLater(error, 1_000));
    });
  }

  /** Whether this replica has put the schedulers in place (readiness reports it). */
  get schedulesInstalled(): boolean {
    return this.installed;
  }

  /**
   * Redis may be away at start: the process still comes up (alive, not ready) after a few
   * seconds, and the schedulers are installed once Redis answers — no crash loop.
   */
  async onApplicationBootstrap(): Promise<void> {
    const installing = this.install().catch((error: unknown) => this.retryLater(error, 1_000));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      installing,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, BOOT_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  private retryLater(error: unknown, delayMs: number): void {
    this.logger.warn(`job schedulers not installed (${String(error)}); retrying in ${delayMs} ms`);
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      this.install().catch((next: unknown) => this.retryLater(next, Math.min(delayMs * 2, 30_000)));
    }, delayMs);
    this.retry.unref();
  }

  private async install(): Promise<void> {
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
    this.installed = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
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
