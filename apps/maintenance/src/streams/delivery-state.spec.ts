import type { StreamState } from '@auditlog/streams';
import { afterDelivery, retryDelayMs, type SentBatch } from './delivery-state';

const state: StreamState = {
  status: 'active',
  cursor: { indexed_at: 1, company_id: 'acme', id: 'a' },
  start_at: '2026-12-01T00:00:00.000Z',
  delivered_events: 10,
  failed_attempts: 0,
  dead_lettered_batches: 0,
};
const batch: SentBatch = {
  count: 3,
  first: { company_id: 'acme', id: 'b' },
  last: { company_id: 'acme', id: 'd' },
  next: { indexed_at: 5, company_id: 'acme', id: 'd' },
};
const stream = (
  over: Partial<StreamState> = {},
  onRejected: 'pause' | 'dead_letter' = 'pause',
) => ({
  state: { ...state, ...over },
  pause_after_failing_seconds: 60,
  on_rejected: onRejected,
});
const now = new Date('2026-12-01T12:00:00.000Z');
const MAX = 300_000;

describe('afterDelivery', () => {
  it('moves the cursor past an acknowledged batch and clears the failing state', () => {
    const { state: next, waitMs } = afterDelivery(
      stream({ status: 'failing', failed_attempts: 4, failing_since: '2026-12-01T11:59:00Z' }),
      batch,
      { kind: 'delivered', status: 200 },
      now,
      MAX,
    );
    expect(next).toMatchObject({ status: 'active', cursor: batch.next, delivered_events: 13 });
    expect(next.failed_attempts).toBe(0);
    expect(next.failing_since).toBeUndefined();
    expect(next.last_success_at).toBe(now.toISOString());
    expect(waitMs).toBe(0);
  });

  it('keeps the cursor on a transient failure and backs off', () => {
    const { state: next, waitMs } = afterDelivery(
      stream(),
      batch,
      { kind: 'retry', status: 503, error: 'busy' },
      now,
      MAX,
      () => 0.5,
    );
    expect(next).toMatchObject({ status: 'failing', cursor: state.cursor, failed_attempts: 1 });
    expect(next.failing_since).toBe(now.toISOString());
    expect(next.last_error).toBe('HTTP 503: busy');
    expect(waitMs).toBe(1000);
  });

  it('honours Retry-After', () => {
    const { waitMs } = afterDelivery(
      stream(),
      batch,
      { kind: 'retry', status: 429, retryAfterMs: 7000, error: 'slow down' },
      now,
      MAX,
    );
    expect(waitMs).toBe(7000);
  });

  it('pauses itself once it has failed for pause_after_failing_seconds', () => {
    const { state: next } = afterDelivery(
      stream({ status: 'failing', failed_attempts: 9, failing_since: '2026-12-01T11:58:59.000Z' }),
      batch,
      { kind: 'retry', error: 'connect ECONNREFUSED' },
      now,
      MAX,
    );
    expect(next.status).toBe('paused');
    expect(next.paused_reason).toMatch(/failing for 61 s: connect ECONNREFUSED/);
    expect(next.cursor).toEqual(state.cursor);
  });

  it('pauses on a rejected batch, or dead-letters it and goes on, by policy', () => {
    const rejected = { kind: 'rejected', status: 400, error: 'bad event' } as const;
    const paused = afterDelivery(stream(), batch, rejected, now, MAX).state;
    expect(paused).toMatchObject({ status: 'paused', cursor: state.cursor });
    expect(paused.paused_reason).toMatch(/rejected a batch of 3 events: HTTP 400: bad event/);

    const skipped = afterDelivery(stream({}, 'dead_letter'), batch, rejected, now, MAX).state;
    expect(skipped).toMatchObject({
      status: 'active',
      cursor: batch.next,
      dead_lettered_batches: 1,
    });
    expect(skipped.dead_letters).toEqual([
      {
        at: now.toISOString(),
        status: 400,
        error: 'HTTP 400: bad event',
        count: 3,
        first: batch.first,
        last: batch.last,
      },
    ]);
  });
});

describe('retryDelayMs', () => {
  it('doubles per attempt with jitter, up to the maximum', () => {
    expect(retryDelayMs(1, undefined, MAX, () => 0)).toBe(500);
    expect(retryDelayMs(3, undefined, MAX, () => 0.5)).toBe(4000);
    expect(retryDelayMs(30, undefined, 10_000, () => 0.5)).toBe(10_000);
  });
});
