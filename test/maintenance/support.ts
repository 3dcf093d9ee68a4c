import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { type Env, loadConfig } from '@auditlog/config';
import { MetricsService } from '@auditlog/platform';
import {
  MAINTENANCE_QUEUE,
  MaintenanceJob,
  type MaintenanceJobName,
} from '../../apps/maintenance/src/maintenance-queue';
import { MaintenanceQueue } from '../../apps/maintenance/src/maintenance-queue.service';
import { MaintenanceModule } from '../../apps/maintenance/src/maintenance.module';

export { MaintenanceJob };

/**
 * The maintenance worker in this process, booted as its main.ts does. No health port unless
 * the env sets one; set the interval variables to 0 to drive every run by hand.
 */
export async function startMaintenance(env: Env): Promise<INestApplicationContext> {
  const config = loadConfig('maintenance', { MAINTENANCE_HEALTH_PORT: '0', ...env });
  const app = await NestFactory.createApplicationContext(MaintenanceModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
}

/** One run of a maintenance job through the queue, processed by a worker; its result. */
export function runJob<R>(
  maintenance: INestApplicationContext,
  name: MaintenanceJobName,
  now?: Date,
): Promise<R> {
  return maintenance.get(MaintenanceQueue).runNow<R>(name, now);
}

/** The Prometheus text of a maintenance worker's metrics. */
export function metricsOf(maintenance: INestApplicationContext): Promise<string> {
  return maintenance.get(MetricsService).registry.metrics();
}

/** Removes a suite's maintenance queue from Redis, schedulers and finished jobs included. */
export async function dropMaintenanceQueue(redisUrl: string, prefix: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
