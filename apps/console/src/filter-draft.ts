/**
 * The filter form's draft: one text per field, to and from the URL's API parameters.
 * Multi-value fields take comma-separated values (OR-ed, like the API); the "User" field
 * sends values with an `@` as `actor_email`, others as `actor_id`; the project /
 * environment / service pickers send the deepest one chosen as `ancestor=<type>:<id>`
 * (values of `ancestor` are OR-ed, so only one level can narrow).
 */
import type { Params } from './api';
import { type RangePreset, valuesOf } from './url-state';

export const CONTEXT_FIELDS = [
  { key: 'task_id', label: 'Task id' },
  { key: 'agent_id', label: 'Agent id' },
  { key: 'flow_id', label: 'Flow id' },
  { key: 'transaction_id', label: 'Transaction id' },
] as const;

export const ANCESTOR_LEVELS = ['project', 'environment', 'service'] as const;
export type AncestorLevel = (typeof ANCESTOR_LEVELS)[number];

/** List parameters edited as comma-separated text. */
export const LIST_FIELDS = [
  'action',
  'category',
  'operation',
  'actor_type',
  'target_type',
  'target_id',
  'outcome',
  'source_tool',
  'source_ip',
] as const;
export type ListField = (typeof LIST_FIELDS)[number];

export interface FilterDraft {
  range: RangePreset | 'custom';
  from: string;
  to: string;
  lists: Record<ListField, string>;
  user: string;
  ancestors: Record<AncestorLevel, string>;
  context: Record<string, string>;
  q: string;
  sort: string;
  /** Parameters the form has no field for (other context keys, other ancestor types…). */
  passthrough: Params;
}

const HANDLED = new Set<string>([
  'from',
  'to',
  'q',
  'sort',
  'actor_id',
  'actor_email',
  ...LIST_FIELDS,
  ...CONTEXT_FIELDS.map((field) => `context.${field.key}`),
]);

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

export function draftFromParams(filters: Params, range: RangePreset | null): FilterDraft {
  const lists = Object.fromEntries(
    LIST_FIELDS.map((field) => [field, valuesOf(filters, field).join(', ')]),
  ) as Record<ListField, string>;
  const ancestors: Record<AncestorLevel, string> = { project: '', environment: '', service: '' };
  const passthrough: Array<readonly [string, string]> = [];
  for (const value of valuesOf(filters, 'ancestor')) {
    const colon = value.indexOf(':');
    const type = value.slice(0, colon) as AncestorLevel;
    if (colon > 0 && ANCESTOR_LEVELS.includes(type) && !ancestors[type])
      ancestors[type] = value.slice(colon + 1);
    else passthrough.push(['ancestor', value]);
  }
  for (const pair of filters) {
    if (!HANDLED.has(pair[0]) && pair[0] !== 'ancestor') passthrough.push(pair);
  }
  return {
    range: range ?? 'custom',
    from: valuesOf(filters, 'from')[0] ?? '',
    to: valuesOf(filters, 'to')[0] ?? '',
    lists,
    user: [...valuesOf(filters, 'actor_id'), ...valuesOf(filters, 'actor_email')].join(', '),
    ancestors,
    context: Object.fromEntries(
      CONTEXT_FIELDS.map((field) => [
        field.key,
        valuesOf(filters, `context.${field.key}`)[0] ?? '',
      ]),
    ),
    q: valuesOf(filters, 'q')[0] ?? '',
    sort: valuesOf(filters, 'sort')[0] === 'asc' ? 'asc' : '',
    passthrough,
  };
}

/** The deepest ancestor picked, as the API's `type:id`. */
export function ancestorParam(ancestors: Record<AncestorLevel, string>): string | null {
  for (const level of [...ANCESTOR_LEVELS].reverse()) {
    const id = ancestors[level].trim().replace(new RegExp(`^${level}:`), '');
    if (id) return `${level}:${id}`;
  }
  return null;
}

export function paramsFromDraft(draft: FilterDraft): {
  filters: Params;
  range: RangePreset | null;
} {
  const filters: Array<readonly [string, string]> = [];
  const custom = draft.range === 'custom';
  if (custom && draft.from.trim()) filters.push(['from', draft.from.trim()]);
  if (custom && draft.to.trim()) filters.push(['to', draft.to.trim()]);
  for (const field of LIST_FIELDS) {
    for (const value of splitList(draft.lists[field])) filters.push([field, value]);
  }
  for (const value of splitList(draft.user)) {
    filters.push([value.includes('@') ? 'actor_email' : 'actor_id', value]);
  }
  const ancestor = ancestorParam(draft.ancestors);
  if (ancestor) filters.push(['ancestor', ancestor]);
  for (const field of CONTEXT_FIELDS) {
    const value = draft.context[field.key]?.trim();
    if (value) filters.push([`context.${field.key}`, value]);
  }
  if (draft.q.trim()) filters.push(['q', draft.q.trim()]);
  if (draft.sort) filters.push(['sort', draft.sort]);
  filters.push(...draft.passthrough);
  return {
    filters,
    range:
      draft.range !== 'custom' ? draft.range : draft.from.trim() || draft.to.trim() ? null : '24h',
  };
}

/** q qualifiers for click-to-exclude, where the API has one for the field. */
export const EXCLUDE_QUALIFIERS: Partial<Record<string, string>> = {
  action: 'action',
  category: 'category',
  operation: 'operation',
  outcome: 'outcome',
  source_tool: 'tool',
  actor_id: 'actor',
  actor_email: 'actor',
  target_id: 'target',
};

/** `q` with `-qualifier:value` appended (quoted when the value has spaces or quotes). */
export function withExclusion(q: string, qualifier: string, value: string): string {
  const token = /[\s"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
  return `${q.trim()} -${qualifier}:${token}`.trim();
}
