import type { Problem } from '../api';
import type { CatalogAction, Facets } from '../api-types';
import { EXCLUDE_QUALIFIERS } from '../filter-draft';
import { ACTOR_TYPE_LABELS, formatCount } from '../format';

interface Props {
  facets: readonly Facets[] | null;
  loading: boolean;
  problem: Problem | null;
  catalog: ReadonlyMap<string, CatalogAction>;
  onFilter: (field: string, value: string) => void;
  onExclude: (field: string, value: string) => void;
}

const TITLES: Record<string, string> = {
  action: 'Action',
  outcome: 'Outcome',
  actor_type: 'Actor type',
  source_tool: 'Source tool',
  target_type: 'Target type',
  category: 'Category',
  operation: 'Operation',
};

function valueLabel(
  field: string,
  value: string,
  catalog: ReadonlyMap<string, CatalogAction>,
): string {
  if (field === 'actor_type') return ACTOR_TYPE_LABELS[value] ?? value;
  if (field === 'action') return catalog.get(value)?.label || value;
  return value;
}

/** Top values of the current results: click a value to filter, − to exclude it. */
export function FacetPanel({ facets, loading, problem, catalog, onFilter, onExclude }: Props) {
  return (
    <aside class="facets" aria-label="Facets" aria-busy={loading}>
      <h2 class="facets-title">Top values</h2>
      {problem && <p class="muted">Facets unavailable: {problem.title}</p>}
      {facets?.map((facet) => {
        const qualifier = EXCLUDE_QUALIFIERS[facet.field];
        const title = TITLES[facet.field] ?? facet.field;
        return (
          <section key={facet.field} class="facet">
            <h3>{title}</h3>
            {facet.values.length === 0 ? (
              <p class="muted">None</p>
            ) : (
              <ul>
                {facet.values.map((entry) => {
                  const label = valueLabel(facet.field, entry.value, catalog);
                  return (
                    <li key={entry.value}>
                      <button
                        type="button"
                        class="facet-value"
                        title={entry.value}
                        onClick={() => onFilter(facet.field, entry.value)}
                      >
                        <span class="sr-only">Filter {title}:</span>
                        <span class="facet-label">{label}</span>
                        <span class="facet-count">{formatCount(entry.count)}</span>
                      </button>
                      {qualifier && (
                        <button
                          type="button"
                          class="facet-exclude"
                          title={`Exclude: adds -${qualifier}:${entry.value} to the search`}
                          onClick={() => onExclude(facet.field, entry.value)}
                        >
                          <span aria-hidden="true">−</span>
                          <span class="sr-only">
                            Exclude {title}: {label}
                          </span>
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
            {facet.other_count > 0 && (
              <p class="muted facet-other">+ {formatCount(facet.other_count)} other</p>
            )}
          </section>
        );
      })}
    </aside>
  );
}
