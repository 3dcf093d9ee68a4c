import type { JobsOptions, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@auditlog/config';
import { createRedisConnection } from '@auditlog/redis';

/** The one place that names the export queue, its job and their options. */
export const EXPORT_QUEUE = 'exports';
export const EXPORT_JOB = 'export';
export const EXPORT_QUEUE_TOKEN = Symbol('EXPORT_QUEUE');

/** The job payload: the export id is also the BullMQ job id, so a job exists once. */
export interface ExportJobData {
  exportId: string;
  companyId: string;
  requestId?: string;
}

export function exportJobOptions(config: AppConfig, exportId: string): JobsOptions {
  return {
    jobId: exportId,
    attempts: config.export.jobAttempts,
    backoff: { type: 'exponential', delay: 5_000 },
    // Keep finished jobs a while for inspection; the history in OpenSearch is the record.
    removeOnComplete: { age: 86_400, count: 1000 },
    removeOnFail: { age: 7 * 86_400 },
  };
}

/**
 * A killed worker stops renewing its lock; after `lockMs` another worker's stalled check
 * (every `lockMs`) puts the job back in the queue. A job may stall twice before BullMQ
 * gives up on it; the maintenance job then marks the record failed.
 */
export function exportWorkerOptions(config: AppConfig): Omit<WorkerOptions, 'connection'> {
  return {
    prefix: config.redis.keyPrefix,
    concurrency: config.export.workerConcurrency,
    lockDuration: config.export.lockMs,
    stalledInterval: config.export.lockMs,
    maxStalledCount: 2,
    autorun: false,
  };
}

/** The producer side fails fast while Redis is away, so a request answers 503 quickly. */
export function queueConnection(config: AppConfig): Redis {
  return createRedisConnection(config.redis, {
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    lazyConnect: true,
  });
}

/** Workers block on Redis and must wait through reconnects (BullMQ requires this). */
export function workerConnection(config: AppConfig): Redis {
  return createRedisConnection(config.redis, { maxRetriesPerRequest: null, connectTimeout: 5_000 });
}
