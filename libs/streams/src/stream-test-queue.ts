import type { JobsOptions } from 'bullmq';
import type { DeliveryResult, DestinationType } from '@auditlog/stream-destinations';

/**
 * `POST /v1/admin/streams/{id}/test`: the query app makes no outbound connection, so it asks
 * the maintenance worker (which holds the egress rules) to send one test event and waits for
 * the answer. The one place that names the queue, its job, payload and result.
 */
export const STREAM_TEST_QUEUE = 'auditlog-stream-tests';
export const STREAM_TEST_JOB = 'test';
/** How long the API waits for the worker's answer before it answers 504. */
export const STREAM_TEST_TIMEOUT_MS = 15_000;

export interface StreamTestJobData {
  stream_id: string;
  requestId?: string;
}

/** What the worker's processor returns: the destination's answer to the test event. */
export type StreamTestJobResult = DeliveryResult;

export interface StreamTestAnswer {
  result: DeliveryResult;
  destination_type: DestinationType;
  duration_ms: number;
}

/** A test nobody answered is useless later: it expires with the wait and is not retried. */
export function streamTestJobOptions(): JobsOptions {
  return {
    attempts: 1,
    removeOnComplete: { age: 3600, count: 100 },
    removeOnFail: { age: 3600, count: 100 },
  };
}
