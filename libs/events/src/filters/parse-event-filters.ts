import { isIP } from 'node:net';
import type { FieldProblem } from '../field-problem';
import { unknownFieldProblem } from '../validation/validation-problems';
import { ACTOR_TYPES, OPERATIONS, OUTCOMES } from '../audit-event';
import {
  DEFAULT_FILTER_LIMITS,
  type EventFilters,
  type FilterLimits,
  type FilterSet,
} from './event-filters';
import { ACTION_FILTER_PATTERN, parseTextQuery } from './text-query.parser';

export type QueryParams = Record<string, string | string[] | undefined>;

export type FilterParseResult =
  { ok: true; filters: EventFilters } | { ok: false; errors: FieldProblem[] };

export interface FilterParseOptions {
  /** Parameters the endpoint handles itself (limit, cursor, format…): not filters, not unknown. */
  extraParams?: readonly string[];
}

const DAY_MS = 86_400_000;
const MAX_VALUES_PER_FIELD = 100;
const MAX_VALUE_LENGTH = 1024;
const CONTEXT_KEY_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

type ListField = Exclude<
  keyof EventFilters,
  'from' | 'to' | 'timeField' | 'sort' | 'text' | 'context' | 'restrictions'
>;

interface ListFilter {
  param: string;
  field: ListField;
  check?: (value: string) => string | undefined;
}

const oneOf =
  (name: string, allowed: readonly string[]) =>
  (value: string): string | undefined =>
    allowed.includes(value) ? undefined : `${name} must be one of ${allowed.join(', ')}`;

function checkIp(value: string): string | undefined {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 'source_ip must be an IP address or a CIDR block';
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && bits <= max
    ? undefined
    : `source_ip: the CIDR prefix length must be 0 to ${max}`;
}

/** Every list filter: query parameter, filter-model field and value rule. */
const LIST_FILTERS: readonly ListFilter[] = [
  {
    param: 'action',
    field: 'actions',
    check: (value) =>
      ACTION_FILTER_PATTERN.test(value)
        ? undefined
        : 'action must be an action like flow.created or a prefix ending in * like flow.*',
  },
  { param: 'category', field: 'categories' },
  { param: 'operation', field: 'operations', check: oneOf('operation', OPERATIONS) },
  { param: 'actor_id', field: 'actorIds' },
  { param: 'actor_email', field: 'actorEmails' },
  { param: 'actor_type', field: 'actorTypes', check: oneOf('actor_type', ACTOR_TYPES) },
  { param: 'target_type', field: 'targetTypes' },
  { param: 'target_id', field: 'targetIds' },
  {
    param: 'ancestor',
    field: 'ancestors',
    check: (value) =>
      /^[^:]+:.+$/s.test(value) ? undefined : 'ancestor must be type:id, e.g. project:p-1',
  },
  { param: 'outcome', field: 'outcomes', check: oneOf('outcome', OUTCOMES) },
  { param: 'source_tool', field: 'sourceTools' },
  { param: 'source_ip', field: 'sourceIps', check: checkIp },
];

/** Names of every filter parameter (without `context.<key>`), e.g. for documentation. */
export const FILTER_PARAMS: readonly string[] = [
  'from',
  'to',
  ...LIST_FILTERS.map((filter) => filter.param),
  'q',
  'sort',
];

function rawValues(params: QueryParams, name: string): string[] {
  const raw = params[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((value) => typeof value === 'string');
}

/** Repeated parameters and comma-separated values are both OR-ed values of one field. */
function listValues(params: QueryParams, name: string): string[] {
  return rawValues(params, name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

function single(params: QueryParams, name: string, errors: FieldProblem[]): string | undefined {
  const all = rawValues(params, name).filter((value) => value !== '');
  if (all.length > 1) errors.push({ path: name, message: `${name} may be given once` });
  return all[0];
}

function parseDate(params: QueryParams, name: string, errors: FieldProblem[]): Date | undefined {
  const raw = single(params, name, errors);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ||
    Number.isNaN(date.getTime())
  ) {
    errors.push({ path: name, message: `${name} must be an ISO 8601 date or date-time` });
    return undefined;
  }
  return date;
}

function checkList(
  filter: ListFilter,
  values: string[],
  errors: FieldProblem[],
): string[] | undefined {
  if (values.length === 0) return undefined;
  if (values.length > MAX_VALUES_PER_FIELD) {
    errors.push({
      path: filter.param,
      message: `${filter.param} accepts at most ${MAX_VALUES_PER_FIELD} values`,
    });
    return undefined;
  }
  for (const value of values) {
    const problem =
      value.length > MAX_VALUE_LENGTH
        ? `${filter.param} values may be at most ${MAX_VALUE_LENGTH} characters`
        : filter.check?.(value);
    if (problem) errors.push({ path: filter.param, message: problem });
  }
  return [...new Set(values)];
}

function parseContext(
  params: QueryParams,
  errors: FieldProblem[],
): Record<string, string[]> | undefined {
  const context: Record<string, string[]> = {};
  for (const name of Object.keys(params)) {
    if (!name.startsWith('context.')) continue;
    const key = name.slice('context.'.length);
    if (!CONTEXT_KEY_PATTERN.test(key) || key.length > 128) {
      errors.push({ path: name, message: `${name}: the context key is not valid` });
      continue;
    }
    // Context values are opaque ids: no comma splitting.
    const values = rawValues(params, name).filter((value) => value !== '');
    const checked = checkList({ param: name, field: 'actions' }, values, errors);
    if (checked) context[key] = checked;
  }
  return Object.keys(context).length > 0 ? context : undefined;
}

function checkWindow(
  from: Date,
  to: Date,
  now: Date,
  limits: FilterLimits,
  errors: FieldProblem[],
): void {
  if (from >= to) errors.push({ path: 'from', message: 'from must be before to' });
  if (to.getTime() - from.getTime() > limits.maxWindowDays * DAY_MS) {
    errors.push({
      path: 'from',
      message: `the time window from..to may span at most ${limits.maxWindowDays} days`,
    });
  }
  if (now.getTime() - from.getTime() > limits.maxLookbackDays * DAY_MS) {
    errors.push({
      path: 'from',
      message: `from may reach back at most ${limits.maxLookbackDays} days`,
    });
  }
}

/**
 * Parses the filter query parameters of `GET /v1/events`, its histogram and facets, and
 * export requests: the single source of filter truth. Pure: the caller supplies the clock
 * and the limits. Unknown parameters are errors that name them.
 */
export function parseEventFilters(
  params: QueryParams,
  now: Date = new Date(),
  limits: FilterLimits = DEFAULT_FILTER_LIMITS,
  options: FilterParseOptions = {},
): FilterParseResult {
  const errors: FieldProblem[] = [];

  const known = new Set([...FILTER_PARAMS, ...(options.extraParams ?? [])]);
  const unknown = Object.keys(params).filter(
    (name) => !known.has(name) && !name.startsWith('context.'),
  );
  errors.push(...unknown.map((name) => unknownFieldProblem(name, { in: 'query' })));

  const to = parseDate(params, 'to', errors) ?? now;
  const from = parseDate(params, 'from', errors) ?? new Date(to.getTime() - DAY_MS);
  checkWindow(from, to, now, limits, errors);

  const sort = single(params, 'sort', errors) ?? 'desc';
  if (sort !== 'asc' && sort !== 'desc')
    errors.push({ path: 'sort', message: 'sort must be asc or desc' });

  const filters: EventFilters = {
    from: from.toISOString(),
    to: to.toISOString(),
    sort: sort as EventFilters['sort'],
  };
  for (const filter of LIST_FILTERS) {
    const checked = checkList(filter, listValues(params, filter.param), errors);
    if (checked) filters[filter.field] = checked;
  }
  const context = parseContext(params, errors);
  if (context) filters.context = context;

  const q = single(params, 'q', errors);
  if (q !== undefined) {
    const parsed = parseTextQuery(q);
    if (!parsed.ok) errors.push(...parsed.errors);
    else if (parsed.query.terms.length > 0 || parsed.query.qualifiers.length > 0)
      filters.text = parsed.query;
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, filters };
}

/** Parameters a fixed filter set may not hold: window, order, paging and free text stay the reader's. */
export const NON_FIXED_PARAMS: readonly string[] = ['from', 'to', 'sort', 'q', 'limit', 'cursor'];

export type FilterSetParseResult =
  { ok: true; set: FilterSet } | { ok: false; errors: FieldProblem[] };

/**
 * Parses fixed filters (a viewer token's `filters`): the filter parameters of
 * `GET /v1/events` with the same names and rules, minus from, to, sort, limit, cursor and q.
 */
export function parseFilterSet(params: QueryParams): FilterSetParseResult {
  const errors: FieldProblem[] = Object.keys(params)
    .filter((name) => NON_FIXED_PARAMS.includes(name))
    .map((name) => ({ path: name, message: `${name} cannot be a fixed filter` }));
  const rest = Object.fromEntries(
    Object.entries(params).filter(([name]) => !NON_FIXED_PARAMS.includes(name)),
  );
  const parsed = parseEventFilters(rest);
  if (!parsed.ok) errors.push(...parsed.errors);
  if (errors.length > 0 || !parsed.ok) return { ok: false, errors };
  const {
    from: _from,
    to: _to,
    sort: _sort,
    text: _text,
    restrictions: _r,
    ...set
  } = parsed.filters;
  return { ok: true, set };
}

/** The filters with one more set ANDed as its own clause; an empty set changes nothing. */
export function withRestriction(filters: EventFilters, set: FilterSet): EventFilters {
  if (Object.keys(set).length === 0) return filters;
  return { ...filters, restrictions: [...(filters.restrictions ?? []), set] };
}
