import type { Params } from '../api';
import { objectParams } from '../url-state';

interface Props {
  fixed: Record<string, string | string[]>;
  filters: Params;
  onRemove: (index: number) => void;
}

/** Fixed filters of the session (cannot be removed) and the filters applied now. */
export function FilterChips({ fixed, filters, onRemove }: Props) {
  const fixedPairs = objectParams(fixed);
  const applied = filters
    .map((pair, index) => ({ pair, index }))
    .filter(({ pair }) => pair[0] !== 'from' && pair[0] !== 'to');
  if (fixedPairs.length === 0 && applied.length === 0) return null;
  return (
    <div class="chips">
      {fixedPairs.length > 0 && (
        <ul class="chip-list" aria-label="Fixed filters of this session">
          {fixedPairs.map(([name, value]) => (
            <li
              key={`${name}=${value}`}
              class="chip chip-fixed"
              title="Set by the host platform; cannot be removed"
            >
              <span class="chip-name">{name}</span> = <span class="mono">{value}</span>{' '}
              <span class="muted">(fixed)</span>
              <span class="sr-only">, cannot be removed</span>
            </li>
          ))}
        </ul>
      )}
      {applied.length > 0 && (
        <ul class="chip-list" aria-label="Applied filters">
          {applied.map(({ pair: [name, value], index }) => (
            <li key={`${index}:${name}=${value}`} class="chip">
              <span class="chip-name">{name}</span> = <span class="mono">{value}</span>
              <button type="button" class="chip-remove" onClick={() => onRemove(index)}>
                <span aria-hidden="true">×</span>
                <span class="sr-only">
                  Remove filter {name} = {value}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
