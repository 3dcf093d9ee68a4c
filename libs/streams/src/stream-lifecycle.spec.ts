import {
  ADMIN_PAUSE_REASON,
  initialStreamState,
  pausedStreamState,
  replayedStreamState,
  resumedStreamState,
} from './stream-lifecycle';
import type { StreamState } from './stream';

const failing: StreamState = {
  ...initialStreamState('2026-01-01T00:00:00.000Z'),
  status: 'failing',
  cursor: { indexed_at: 1, company_id: 'acme', id: 'e1' },
  failed_attempts: 7,
  failing_since: '2026-01-02T00:00:00.000Z',
  last_error: 'HTTP 503',
  delivered_events: 12,
};

describe('stream state transitions', () => {
  it('pauses with the reason given, or the admin default, keeping the cursor', () => {
    expect(pausedStreamState(failing, 'maintenance window')).toMatchObject({
      status: 'paused',
      paused_reason: 'maintenance window',
      cursor: failing.cursor,
    });
    expect(pausedStreamState(failing, undefined).paused_reason).toBe(ADMIN_PAUSE_REASON);
  });

  it('resumes clearing the failing state but not the counters or the last error', () => {
    const resumed = resumedStreamState(pausedStreamState(failing, 'x'));
    expect(resumed).toEqual({
      status: 'active',
      cursor: failing.cursor,
      start_at: failing.start_at,
      delivered_events: 12,
      failed_attempts: 0,
      dead_lettered_batches: 0,
      last_error: 'HTTP 503',
    });
  });

  it('replays from a time: no cursor, the new start, the status unchanged', () => {
    const replayed = replayedStreamState(
      pausedStreamState(failing, 'x'),
      '2026-01-01T12:00:00.000Z',
    );
    expect(replayed).toMatchObject({
      status: 'paused',
      cursor: null,
      start_at: '2026-01-01T12:00:00.000Z',
    });
  });
});
