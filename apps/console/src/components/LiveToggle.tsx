import { useState } from 'preact/hooks';
import { formatTime } from '../format';
import type { LiveState } from '../use-events';
import type { TimeZoneMode } from '../url-state';

interface Props {
  live: LiveState;
  tz: TimeZoneMode;
  onStart: (durationMs: number) => void;
  onStop: () => void;
  onPause: () => void;
  onResume: () => void;
}

const DEFAULT_DURATION_MS = 15 * 60_000;
const DURATIONS = [
  { value: 5 * 60_000, label: '5 min' },
  { value: DEFAULT_DURATION_MS, label: '15 min' },
  { value: 60 * 60_000, label: '1 h' },
];

/** Live mode: new matching events appear at the top for a chosen time; pausable. */
export function LiveToggle({ live, tz, onStart, onStop, onPause, onResume }: Props) {
  const [duration, setDuration] = useState(DEFAULT_DURATION_MS);
  const status = !live.running
    ? live.endsAt === null
      ? ''
      : `Live ${Date.now() >= live.endsAt ? 'ended' : 'stopped'} · ${live.events.length} new`
    : live.paused
      ? `Live paused · ${live.events.length} new`
      : `Live · ${live.events.length} new · until ${live.endsAt ? formatTime(new Date(live.endsAt).toISOString(), tz) : ''}`;
  return (
    <div class="live" role="group" aria-label="Live mode">
      <label for="live-duration">Live for</label>
      <select
        id="live-duration"
        value={String(duration)}
        disabled={live.running}
        onChange={(event) => setDuration(Number(event.currentTarget.value))}
      >
        {DURATIONS.map((option) => (
          <option key={option.value} value={String(option.value)}>
            {option.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        aria-pressed={live.running}
        class={live.running ? 'live-on' : undefined}
        onClick={() => (live.running ? onStop() : onStart(duration))}
      >
        Live
      </button>
      {live.running && (
        <button type="button" aria-pressed={live.paused} onClick={live.paused ? onResume : onPause}>
          {live.paused ? 'Resume' : 'Pause'}
        </button>
      )}
      <span class="live-status" role="status" aria-live="polite">
        {live.running && !live.paused && <span class="live-dot" aria-hidden="true" />}
        {status}
        {live.problem && ` · ${live.problem.title}: ${live.problem.detail}`}
      </span>
    </div>
  );
}
