import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  EXPORT_QUEUE,
  EXPORT_QUEUE_TOKEN,
  type ExportJobData,
  queueConnection,
} from './export-queue';

const connections = new WeakMap<Queue, Redis>();

export const exportQueueProvider: Provider = {
  provide: EXPORT_QUEUE_TOKEN,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const connection = queueConnection(config);
    const queue = new Queue<ExportJobData>(EXPORT_QUEUE, {
      connection,
      prefix: config.redis.keyPrefix,
    });
    connections.set(queue, connection);
    return queue;
  },
};

/** Closes the producer queue and its own Redis connection on shutdown. */
@Injectable()
export class ExportQueueCloser implements OnApplicationShutdown {
  constructor(@Inject(EXPORT_QUEUE_TOKEN) private readonly queue: Queue<ExportJobData>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    connections.get(this.queue)?.disconnect();
  }
}
