import { RANGE_PRESETS, type RangePreset, type TimeZoneMode } from '../url-state';
import { zoneLabel } from '../format';

interface Props {
  range: RangePreset | 'custom';
  from: string;
  to: string;
  tz: TimeZoneMode;
  /** The window currently shown, to prefill From/To when "Custom" is chosen. */
  shownWindow: { from: string; to: string } | null;
  onChange: (next: { range: RangePreset | 'custom'; from: string; to: string }) => void;
}

/** Preset or custom window, with the API's limits explained before anything is sent. */
export function DateRangePicker({ range, from, to, tz, shownWindow, onChange }: Props) {
  return (
    <>
      <fieldset class="date-range">
        <legend class="sr-only">Time</legend>
        <div class="field">
          <label for="filter-range">Time range</label>
          <select
            id="filter-range"
            value={range}
            onChange={(event) => {
              const value = event.currentTarget.value as RangePreset | 'custom';
              if (value === 'custom')
                onChange({
                  range: value,
                  from: from || shownWindow?.from || '',
                  to: to || shownWindow?.to || '',
                });
              else onChange({ range: value, from: '', to: '' });
            }}
          >
            {RANGE_PRESETS.map((preset) => (
              <option key={preset.value} value={preset.value}>
                {preset.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-from">From</label>
          <input
            id="filter-from"
            class="mono"
            value={from}
            placeholder="2026-06-01T00:00:00Z"
            aria-describedby="range-help"
            onInput={(event) => onChange({ range: 'custom', from: event.currentTarget.value, to })}
          />
        </div>
        <div class="field">
          <label for="filter-to">To</label>
          <input
            id="filter-to"
            class="mono"
            value={to}
            placeholder="now"
            aria-describedby="range-help"
            onInput={(event) => onChange({ range: 'custom', from, to: event.currentTarget.value })}
          />
        </div>
      </fieldset>
      <p id="range-help" class="hint range-hint">
        ISO 8601 dates or date-times (
        {tz === 'utc' ? 'end in Z for UTC' : `add Z or an offset; you are in ${zoneLabel()}`}
        ). From is inclusive, To exclusive. A window may span at most 93 days and reach back at most
        366 days.
      </p>
    </>
  );
}
