import type { StreamState } from './stream';

/**
 * The admin's state transitions, as pure functions of the state read (the caller writes the
 * result by compare-and-set and applies the function again on a conflict).
 */

export const ADMIN_PAUSE_REASON = 'paused by an installation admin';

export function initialStreamState(startAt: string): StreamState {
  return {
    status: 'active',
    cursor: null,
    start_at: startAt,
    delivered_events: 0,
    failed_attempts: 0,
    dead_lettered_batches: 0,
  };
}

/** Stops delivery where it is; the cursor stays. */
export function pausedStreamState(state: StreamState, reason: string | undefined): StreamState {
  return { ...state, status: 'paused', paused_reason: reason ?? ADMIN_PAUSE_REASON };
}

/**
 * Delivery goes on from the cursor; a failing or self-paused stream starts afresh (no
 * failing time, no failed attempts). The last error stays for the record.
 */
export function resumedStreamState(state: StreamState): StreamState {
  const { paused_reason: _reason, failing_since: _since, ...rest } = state;
  return { ...rest, status: 'active', failed_attempts: 0 };
}

/**
 * Delivery restarts at `from`: the cursor is dropped, so the runner reads again from
 * `start_at`. The status is left as it is: a paused stream replays once resumed.
 */
export function replayedStreamState(state: StreamState, from: string): StreamState {
  return { ...state, cursor: null, start_at: from };
}
