import type { JobsOptions, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@auditlog/config';
import { createRedisConnection } from '@auditlog/redis';

/** The one place that names the maintenance queue, its jobs, payloads and options. */
export const MAINTENANCE_QUEUE = 'maintenance';
export const MAINTENANCE_QUEUE_TOKEN = Symbol('MAINTENANCE_QUEUE');

/** Job names; each is also the id of the job scheduler that produces it. */
export const MaintenanceJob = {
  /** Seal closed `received_at` windows into signed, chained digests. */
  sealDigests: 'integrity.seal-digests',
  /** Delete expired events indices and write-block closed ones, where ISM is absent. */
  sweepRetention: 'retention.sweep',
  /** Delete expired export files; fail export records whose job was lost. */
  maintainExports: 'exports.maintain',
  /** Create the current and the coming period's events indices of every class. */
  ensureIndices: 'retention.ensure-indices',
} as const;
export type MaintenanceJobName = (typeof MaintenanceJob)[keyof typeof MaintenanceJob];
export const MAINTENANCE_JOB_NAMES: readonly MaintenanceJobName[] = Object.values(MaintenanceJob);

/**
 * The payload of every maintenance job. Scheduled runs carry nothing and use the time the
 * job starts; `now` (ISO 8601) pins the clock of a run requested by an operator or a test.
 */
export interface MaintenanceJobData {
  now?: string;
}

export interface MaintenanceSchedule {
  name: MaintenanceJobName;
  /** 0: not scheduled (the scheduler is removed, so turning a job off sticks). */
  everyMs: number;
}

/** The schedules, from the existing interval settings (0 = off). */
export function maintenanceSchedules(config: AppConfig): MaintenanceSchedule[] {
  return [
    { name: MaintenanceJob.sealDigests, everyMs: config.integrity.jobIntervalMs },
    {
      name: MaintenanceJob.sweepRetention,
      everyMs: config.retention.sweepIntervalSeconds * 1000,
    },
    { name: MaintenanceJob.maintainExports, everyMs: config.export.maintenanceIntervalMs },
    {
      name: MaintenanceJob.ensureIndices,
      everyMs: config.retention.preCreationIntervalSeconds * 1000,
    },
  ];
}

/**
 * Every run is one attempt: the next iteration of the scheduler is the retry, and each job
 * is idempotent. Finished jobs are kept a while for inspection (`bullmq` tools, tests).
 */
export function maintenanceJobOptions(): JobsOptions {
  return {
    attempts: 1,
    removeOnComplete: { age: 86_400, count: 1000 },
    removeOnFail: { age: 7 * 86_400, count: 1000 },
  };
}

/**
 * One job at a time per replica; a job whose replica died is put back after `lockDuration`
 * by another replica's stalled check, and given up after one such stall (the scheduler's
 * next run takes over).
 */
export function maintenanceWorkerOptions(config: AppConfig): Omit<WorkerOptions, 'connection'> {
  return {
    prefix: config.redis.keyPrefix,
    concurrency: 1,
    lockDuration: 60_000,
    stalledInterval: 30_000,
    maxStalledCount: 1,
    autorun: false,
  };
}

/**
 * The producer side (schedulers, one-off runs). Unlike the export API's queue it serves no
 * request, so it waits through Redis outages instead of failing fast: a scheduler upsert
 * issued while Redis is away completes once Redis is back.
 */
export function maintenanceQueueConnection(config: AppConfig): Redis {
  return createRedisConnection(config.redis, {
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
  });
}

/** Workers block on Redis and must wait through reconnects (BullMQ requires this). */
export function maintenanceWorkerConnection(config: AppConfig): Redis {
  return createRedisConnection(config.redis, {
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
  });
}
