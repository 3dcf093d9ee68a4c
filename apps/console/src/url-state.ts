/**
 * The URL is the console's state (ADR 0080 "Console URL state"): the query string holds the
 * API's own filter parameters (`from`, `to`, `action`, `ancestor`, `context.task_id`, `q`, …,
 * repeatable) plus the console's `range`, `event`, `tab`, `tz` and `company_id`. A link
 * reproduces the view; back and forward move between views.
 */
import type { Params } from './api';

export type Tab = 'events' | 'exports' | 'integrity';
export type RangePreset = '1h' | '24h' | '7d' | '30d';
export type TimeZoneMode = 'utc' | 'local';

export const RANGE_PRESETS: ReadonlyArray<{ value: RangePreset; label: string; ms: number }> = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
];

export interface ViewState {
  /** The API filter parameters, in URL order (everything but the console's own keys). */
  filters: Params;
  /** A preset window relative to now; null when `from`/`to` are given. */
  range: RangePreset | null;
  event: string | null;
  tab: Tab;
  tz: TimeZoneMode;
  companyId: string | null;
}

const CONSOLE_KEYS = new Set(['range', 'event', 'tab', 'tz', 'company_id']);

function isPreset(value: string | null): value is RangePreset {
  return RANGE_PRESETS.some((preset) => preset.value === value);
}

export function parseSearch(search: string): ViewState {
  const params = new URLSearchParams(search);
  const filters: Array<[string, string]> = [];
  for (const [name, value] of params) if (!CONSOLE_KEYS.has(name)) filters.push([name, value]);
  const hasWindow = filters.some(([name]) => name === 'from' || name === 'to');
  const range = params.get('range');
  const tab = params.get('tab');
  return {
    filters,
    range: hasWindow ? null : isPreset(range) ? range : '24h',
    event: params.get('event') || null,
    tab: tab === 'exports' || tab === 'integrity' ? tab : 'events',
    tz: params.get('tz') === 'local' ? 'local' : 'utc',
    companyId: params.get('company_id') || null,
  };
}

export function toSearch(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.companyId) params.append('company_id', state.companyId);
  if (state.tab !== 'events') params.append('tab', state.tab);
  const hasWindow = state.filters.some(([name]) => name === 'from' || name === 'to');
  if (!hasWindow && state.range && state.range !== '24h') params.append('range', state.range);
  for (const [name, value] of state.filters) params.append(name, value);
  if (state.event) params.append('event', state.event);
  if (state.tz === 'local') params.append('tz', 'local');
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Values of one filter parameter. */
export function valuesOf(filters: Params, name: string): string[] {
  return filters.filter(([key]) => key === name).map(([, value]) => value);
}

export function firstOf(filters: Params, name: string): string {
  return valuesOf(filters, name)[0] ?? '';
}

/** The filters with `name` set to `values` (replacing earlier values, keeping the order). */
export function withValues(filters: Params, name: string, values: readonly string[]): Params {
  const index = filters.findIndex(([key]) => key === name);
  const others = filters.filter(([key]) => key !== name);
  const added = values.map((value) => [name, value] as const);
  if (index === -1) return [...others, ...added];
  const before = filters.slice(0, index).filter(([key]) => key !== name);
  return [...before, ...added, ...others.slice(before.length)];
}

/**
 * The parameters sent to the API: the filters with the window resolved to absolute
 * instants (a preset becomes `from`/`to` relative to `now`), so paging keeps one window.
 */
export function resolveParams(state: Pick<ViewState, 'filters' | 'range'>, now: Date): Params {
  if (!state.range) return state.filters;
  const preset = RANGE_PRESETS.find((candidate) => candidate.value === state.range);
  const ms = preset?.ms ?? 86_400_000;
  const rest = state.filters.filter(([name]) => name !== 'from' && name !== 'to');
  return [['from', new Date(now.getTime() - ms).toISOString()], ['to', now.toISOString()], ...rest];
}

/** Params as a plain object (export job bodies, fixed-filter chips). */
export function paramsObject(params: Params): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const existing = object[name];
    if (existing === undefined) object[name] = value;
    else object[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return object;
}

export function objectParams(object: Record<string, string | string[]>): Params {
  return Object.entries(object).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => [name, item] as const),
  );
}
