import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { type Env, loadConfig } from '@auditlog/config';
import { MetricsService } from '@auditlog/platform';
import { waitFor } from '@auditlog/testing';
import {
  MAINTENANCE_QUEUE,
  MaintenanceJob,
  type MaintenanceJobName,
} from '../../apps/maintenance/src/maintenance-queue';
import { MaintenanceQueue } from '../../apps/maintenance/src/maintenance-queue.service';
import { MaintenanceModule } from '../../apps/maintenance/src/maintenance.module';

export { MaintenanceJob };

const ROOT = path.resolve(__dirname, '../..');

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

export interface MaintenanceProcess {
  child: ChildProcess;
  output: () => string;
  /** JSON log lines of the process, parsed. */
  logs: () => Array<Record<string, unknown>>;
}

/** Runs the built maintenance worker (dist/) as its own process; waits for "ready". */
export async function startMaintenanceProcess(env: Env): Promise<MaintenanceProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/maintenance/src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    () => {
      if (child.exitCode !== null)
        throw new Error(`maintenance worker exited ${child.exitCode}: ${output}`);
      return Promise.resolve(output.includes('maintenance worker ready'));
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
  const logs = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, output: () => output, logs };
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

/** Sends SIGTERM and resolves with how the process ended. */
export function stopMaintenanceProcess(
  worker: MaintenanceProcess | undefined,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = worker?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.kill('SIGTERM');
  });
}
