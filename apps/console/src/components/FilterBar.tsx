import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Params } from '../api';
import { useAncestorFacets } from '../ancestor-facets';
import {
  ACTOR_TYPES,
  type AuditEvent,
  type CatalogAction,
  type Facets,
  OPERATIONS,
  OUTCOMES,
} from '../api-types';
import { ancestorOptionsOf, optionsUnder } from '../ancestry';
import {
  type AncestorLevel,
  CONTEXT_FIELDS,
  draftFromParams,
  type FilterDraft,
  type ListField,
  paramsFromDraft,
} from '../filter-draft';
import { ACTOR_TYPE_LABELS } from '../format';
import type { RangePreset, TimeZoneMode } from '../url-state';
import { DateRangePicker } from './DateRangePicker';
import { SelectField, TextField } from './FormFields';

interface Props {
  filters: Params;
  range: RangePreset | null;
  tz: TimeZoneMode;
  catalog: ReadonlyMap<string, CatalogAction>;
  facets: readonly Facets[] | null;
  events: readonly AuditEvent[];
  /** The resolved window shown now. */
  shownWindow: { from: string; to: string } | null;
  onApply: (filters: Params, range: RangePreset | null) => void;
  onReset: () => void;
  onReload: () => void;
}

function facetValues(facets: readonly Facets[] | null, field: string): string[] {
  return facets?.find((facet) => facet.field === field)?.values.map((entry) => entry.value) ?? [];
}

const LEVEL_LABELS: Record<AncestorLevel, string> = {
  project: 'Project',
  environment: 'Environment',
  service: 'Service',
};

/** Every filter of GET /v1/events, edited as a draft and applied to the URL. */
export function FilterBar(props: Props) {
  const { filters, range, tz, catalog, facets, events, shownWindow } = props;
  const filtersKey = JSON.stringify([filters, range]);
  const [draft, setDraft] = useState<FilterDraft>(() => draftFromParams(filters, range));
  useEffect(() => setDraft(draftFromParams(filters, range)), [filtersKey]);

  const setList = (field: ListField, value: string) =>
    setDraft((previous) => ({ ...previous, lists: { ...previous.lists, [field]: value } }));
  const setAncestor = (level: AncestorLevel, value: string) =>
    setDraft((previous) => {
      const ancestors = { ...previous.ancestors, [level]: value };
      // Cascading: a new project clears the environment and service below it.
      if (level === 'project') {
        ancestors.environment = '';
        ancestors.service = '';
      }
      if (level === 'environment') ancestors.service = '';
      return { ...previous, ancestors };
    });

  // Phones start with the field grid folded; wider screens show it.
  const [expanded, setExpanded] = useState(() => !window.matchMedia('(max-width: 640px)').matches);
  const activeCount = filters.filter(
    ([name]) => !['from', 'to', 'q', 'sort'].includes(name),
  ).length;

  const seenAncestors = useMemo(() => ancestorOptionsOf(events), [events]);
  // Ancestor facets are fetched once a picker is used (every read is audited).
  const [pickersUsed, setPickersUsed] = useState(false);
  const facetAncestors = useAncestorFacets(draft, shownWindow, pickersUsed);

  // A link may name only the deepest level: fill the levels above from the chains seen.
  useEffect(() => {
    setDraft((previous) => {
      const { project, environment, service } = previous.ancestors;
      const lookup = (level: AncestorLevel, id: string) =>
        seenAncestors[level].get(id)?.parents ?? [];
      const parents = service
        ? lookup('service', service)
        : environment
          ? lookup('environment', environment)
          : [];
      const parentOf = (type: string) =>
        parents.find((parent) => parent.startsWith(`${type}:`))?.slice(type.length + 1) ?? '';
      const nextEnvironment = environment || (service ? parentOf('environment') : '');
      const nextProject = project || (service || environment ? parentOf('project') : '');
      if (nextEnvironment === environment && nextProject === project) return previous;
      return {
        ...previous,
        ancestors: { project: nextProject, environment: nextEnvironment, service },
      };
    });
  }, [seenAncestors, filtersKey]);

  const ancestorChoices = (level: AncestorLevel) => {
    const parents: string[] = [];
    if (level !== 'project' && draft.ancestors.project.trim())
      parents.push(`project:${draft.ancestors.project.trim()}`);
    if (level === 'service' && draft.ancestors.environment.trim())
      parents.push(`environment:${draft.ancestors.environment.trim()}`);
    const merged = new Map<string, { value: string; label?: string }>();
    for (const option of optionsUnder(seenAncestors, level, parents))
      merged.set(option.id, { value: option.id, label: option.name });
    // Facet options were fetched under the deepest parent picked.
    for (const option of facetAncestors[level].values())
      if (!merged.has(option.id)) merged.set(option.id, { value: option.id });
    return [...merged.values()];
  };

  const actionOptions = useMemo(() => {
    const options = new Map<string, { value: string; label?: string }>();
    for (const entry of catalog.values())
      options.set(entry.action, { value: entry.action, label: entry.label ?? undefined });
    for (const value of facetValues(facets, 'action'))
      if (!options.has(value)) options.set(value, { value });
    const prefixes = new Set([...options.keys()].map((action) => `${action.split('.')[0]}.*`));
    for (const prefix of prefixes)
      options.set(prefix, { value: prefix, label: 'every action of this prefix' });
    return [...options.values()];
  }, [catalog, facets]);

  const simpleOptions = (field: string, extra: string[] = []) =>
    [...new Set([...facetValues(facets, field), ...extra])].map((value) => ({ value }));

  const categories = [...catalog.values()]
    .map((entry) => entry.category)
    .filter((value): value is string => !!value);

  return (
    <form
      class="filter-bar"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
        const next = paramsFromDraft(draft);
        props.onApply(next.filters, next.range);
      }}
    >
      <div class="filter-top">
        <DateRangePicker
          range={draft.range}
          from={draft.from}
          to={draft.to}
          tz={tz}
          shownWindow={shownWindow}
          onChange={(next) => setDraft((previous) => ({ ...previous, ...next }))}
        />
        <div class="field field-search">
          <label for="filter-q">Search</label>
          <input
            id="filter-q"
            type="search"
            value={draft.q}
            placeholder='action:flow.* actor:alice@example.com -outcome:success "exact phrase"'
            spellcheck={false}
            aria-describedby="q-help"
            onInput={(event) => {
              const value = event.currentTarget.value;
              setDraft((previous) => ({ ...previous, q: value }));
            }}
          />
        </div>
        <div class="filter-buttons">
          <button type="submit" class="primary">
            Apply
          </button>
          <button type="button" onClick={props.onReset}>
            Reset
          </button>
          <button type="button" onClick={props.onReload}>
            Reload
          </button>
        </div>
      </div>
      <div class="filter-meta">
        <button
          type="button"
          class="filters-toggle"
          aria-expanded={expanded}
          aria-controls="filter-grid"
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? 'Hide filters' : `Show filters${activeCount ? ` (${activeCount} set)` : ''}`}
        </button>
        <details class="q-help" id="q-help">
          <summary>Search syntax</summary>
          <p>
            Words match descriptions, actions, names and reasons, or equal an id exactly.
            Qualifiers: <code>action:</code> (exact or prefix <code>flow.*</code>),{' '}
            <code>actor:</code> (id or email), <code>target:</code> (id or name),{' '}
            <code>outcome:</code>, <code>category:</code>, <code>operation:</code>,{' '}
            <code>tool:</code>. A leading <code>-</code> excludes; <code>"quotes"</code> keep a
            phrase together.
          </p>
          <p>
            Example:{' '}
            <code>
              action:flow.* actor:alice@example.com outcome:failure -action:auth.login target:env-42
              "exact phrase"
            </code>
          </p>
        </details>
      </div>
      <fieldset class="filter-grid" id="filter-grid" hidden={!expanded}>
        <legend class="sr-only">Filters</legend>
        <TextField
          id="filter-action"
          label="Action"
          value={draft.lists.action}
          onInput={(value) => setList('action', value)}
          options={actionOptions}
          placeholder="flow.created, flow.*"
          mono
        />
        <TextField
          id="filter-category"
          label="Category"
          value={draft.lists.category}
          onInput={(value) => setList('category', value)}
          options={simpleOptions('category', categories)}
        />
        <SelectField
          id="filter-operation"
          label="Operation"
          value={draft.lists.operation}
          onChange={(value) => setList('operation', value)}
          options={OPERATIONS.map((value) => ({ value, label: value }))}
        />
        <SelectField
          id="filter-actor-type"
          label="Actor type"
          value={draft.lists.actor_type}
          onChange={(value) => setList('actor_type', value)}
          options={ACTOR_TYPES.map((value) => ({
            value,
            label: ACTOR_TYPE_LABELS[value] ?? value,
          }))}
        />
        <TextField
          id="filter-user"
          label="User (id or email)"
          value={draft.user}
          onInput={(value) => setDraft((previous) => ({ ...previous, user: value }))}
          placeholder="u-alice or alice@example.com"
        />
        <SelectField
          id="filter-outcome"
          label="Outcome"
          value={draft.lists.outcome}
          onChange={(value) => setList('outcome', value)}
          options={OUTCOMES.map((value) => ({ value, label: value }))}
        />
        <TextField
          id="filter-target-type"
          label="Target type"
          value={draft.lists.target_type}
          onInput={(value) => setList('target_type', value)}
          options={simpleOptions('target_type')}
        />
        <TextField
          id="filter-target-id"
          label="Target id"
          value={draft.lists.target_id}
          onInput={(value) => setList('target_id', value)}
          mono
        />
        {(['project', 'environment', 'service'] as const).map((level) => (
          <TextField
            key={level}
            id={`filter-${level}`}
            label={LEVEL_LABELS[level]}
            value={draft.ancestors[level]}
            onInput={(value) => setAncestor(level, value)}
            onFocus={() => setPickersUsed(true)}
            options={ancestorChoices(level)}
            placeholder={level === 'project' ? 'project id' : `${level} id`}
            mono
          />
        ))}
        <TextField
          id="filter-source-tool"
          label="Source tool"
          value={draft.lists.source_tool}
          onInput={(value) => setList('source_tool', value)}
          options={simpleOptions('source_tool')}
        />
        <TextField
          id="filter-source-ip"
          label="IP or CIDR"
          value={draft.lists.source_ip}
          onInput={(value) => setList('source_ip', value)}
          placeholder="10.0.0.0/8"
          mono
        />
        {CONTEXT_FIELDS.map((field) => (
          <TextField
            key={field.key}
            id={`filter-context-${field.key}`}
            label={field.label}
            value={draft.context[field.key] ?? ''}
            onInput={(value) =>
              setDraft((previous) => ({
                ...previous,
                context: { ...previous.context, [field.key]: value },
              }))
            }
            mono
          />
        ))}
        <div class="field">
          <label for="filter-sort">Order</label>
          <select
            id="filter-sort"
            value={draft.sort}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setDraft((previous) => ({ ...previous, sort: value }));
            }}
          >
            <option value="">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        </div>
      </fieldset>
    </form>
  );
}
