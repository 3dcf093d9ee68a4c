import type { DeliveryResult } from '@auditlog/stream-destinations';
import type { DeadLetter, StoredStream, StreamState, TailPosition } from '@auditlog/streams';

const BACKOFF_BASE_MS = 1_000;
/** A Retry-After beyond this is taken as this: the stream keeps probing. */
const RETRY_AFTER_MAX_MS = 10 * 60_000;
const DEAD_LETTERS_KEPT = 20;

/** The batch one delivery attempt sent. */
export interface SentBatch {
  count: number;
  first: { company_id: string; id: string };
  last: { company_id: string; id: string };
  /** The tail position after the batch: where the cursor goes once it is acknowledged. */
  next: TailPosition;
}

export interface Transition {
  state: StreamState;
  /** How long to wait before the next attempt (0: go on at once). */
  waitMs: number;
}

/** Exponential backoff with jitter (0.5–1.5×), or the destination's Retry-After. */
export function retryDelayMs(
  failedAttempts: number,
  retryAfterMs: number | undefined,
  maxMs: number,
  random = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), RETRY_AFTER_MAX_MS);
  const exponential = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(failedAttempts - 1, 0), maxMs);
  return Math.round(exponential * (0.5 + random()));
}

function describe(result: Exclude<DeliveryResult, { kind: 'delivered' }>): string {
  return result.status === undefined ? result.error : `HTTP ${result.status}: ${result.error}`;
}

/**
 * The stream's next state after one delivery attempt — at least once, in order: the
 * cursor moves only past a batch the destination acknowledged, or past a rejected batch
 * the stream was told to dead-letter.
 */
export function afterDelivery(
  stream: Pick<StoredStream, 'state' | 'pause_after_failing_seconds' | 'on_rejected'>,
  batch: SentBatch,
  result: DeliveryResult,
  now: Date,
  retryMaxMs: number,
  random = Math.random,
): Transition {
  const state = stream.state;
  const at = now.toISOString();
  switch (result.kind) {
    case 'delivered': {
      const { failing_since: _since, ...rest } = state;
      return {
        state: {
          ...rest,
          status: 'active',
          cursor: batch.next,
          delivered_events: state.delivered_events + batch.count,
          failed_attempts: 0,
          last_success_at: at,
        },
        waitMs: 0,
      };
    }
    case 'retry': {
      const failingSince = state.failing_since ?? at;
      const failedAttempts = state.failed_attempts + 1;
      const error = describe(result);
      const failingMs = now.getTime() - Date.parse(failingSince);
      if (failingMs >= stream.pause_after_failing_seconds * 1000) {
        return {
          state: {
            ...state,
            status: 'paused',
            paused_reason: `paused itself after failing for ${Math.round(failingMs / 1000)} s: ${error}`,
            failed_attempts: failedAttempts,
            failing_since: failingSince,
            last_error: error,
            last_error_at: at,
          },
          waitMs: 0,
        };
      }
      return {
        state: {
          ...state,
          status: 'failing',
          failed_attempts: failedAttempts,
          failing_since: failingSince,
          last_error: error,
          last_error_at: at,
        },
        waitMs: retryDelayMs(failedAttempts, result.retryAfterMs, retryMaxMs, random),
      };
    }
    case 'rejected': {
      const error = describe(result);
      if (stream.on_rejected === 'pause') {
        return {
          state: {
            ...state,
            status: 'paused',
            paused_reason: `the destination rejected a batch of ${batch.count} events: ${error}`,
            last_error: error,
            last_error_at: at,
          },
          waitMs: 0,
        };
      }
      const letter: DeadLetter = {
        at,
        ...(result.status === undefined ? {} : { status: result.status }),
        error,
        count: batch.count,
        first: batch.first,
        last: batch.last,
      };
      return {
        state: {
          ...state,
          cursor: batch.next,
          dead_lettered_batches: state.dead_lettered_batches + 1,
          dead_letters: [...(state.dead_letters ?? []), letter].slice(-DEAD_LETTERS_KEPT),
          last_error: error,
          last_error_at: at,
        },
        waitMs: 0,
      };
    }
  }
}
