import { useMemo, useState } from 'preact/hooks';
import type { Params } from '../api';
import type { CatalogAction, SessionInfo } from '../api-types';
import { EXCLUDE_QUALIFIERS, withExclusion } from '../filter-draft';
import { formatCount, zoneLabel } from '../format';
import { useEventSearch, useFacets, useHistogram, useLive } from '../use-events';
import { firstOf, resolveParams, type ViewState, withValues } from '../url-state';
import { navigate } from '../history';
import { EventDetail } from './EventDetail';
import { EventTable } from './EventTable';
import { ExportDialog } from './ExportDialog';
import { FacetPanel } from './FacetPanel';
import { FilterBar } from './FilterBar';
import { FilterChips } from './FilterChips';
import { Histogram } from './Histogram';
import { LiveToggle } from './LiveToggle';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  state: ViewState;
  info: SessionInfo;
  admin: boolean;
  canExport: boolean;
  catalog: ReadonlyMap<string, CatalogAction>;
}

/** The Events tab: filters, histogram, facets, the table, the detail panel, live and export. */
export function EventsView({ state, info, admin, canExport, catalog }: Props) {
  const [reloads, setReloads] = useState(0);
  const [exporting, setExporting] = useState(false);
  const filtersKey = JSON.stringify([state.filters, state.range]);
  // A preset window is resolved once per search (and per Reload), so paging keeps it.
  const params = useMemo(() => resolveParams(state, new Date()), [filtersKey, reloads]);
  const key = `${filtersKey}#${reloads}`;
  const search = useEventSearch(params, key);
  // The table's request goes first; the histogram and facets follow once it has answered.
  const sideKey = search.loading ? null : key;
  const histogram = useHistogram(params, sideKey);
  const facets = useFacets(params, sideKey);
  const { live, start, stop, pause, resume } = useLive(params, filtersKey, search.events);

  const events = useMemo(() => {
    if (live.events.length === 0) return search.events;
    const liveIds = new Set(live.events.map((event) => event.id));
    return [...live.events, ...search.events.filter((event) => !liveIds.has(event.id))];
  }, [live.events, search.events]);

  const shownWindow = useMemo(() => {
    const from = firstOf(params, 'from');
    const to = firstOf(params, 'to');
    return from && to
      ? { from, to }
      : histogram.value
        ? { from: histogram.value.from, to: histogram.value.to }
        : null;
  }, [params, histogram.value]);

  const go = (filters: Params, range: ViewState['range'] = state.range) =>
    navigate({ ...state, filters, range, event: null });

  const onExclude = (field: string, value: string) => {
    const qualifier = EXCLUDE_QUALIFIERS[field];
    if (!qualifier) return;
    go(
      withValues(state.filters, 'q', [
        withExclusion(firstOf(state.filters, 'q'), qualifier, value),
      ]),
    );
  };

  const total = search.total;
  const totalText = search.loading
    ? 'Loading events…'
    : total
      ? `${total.relation === 'gte' ? 'More than ' : ''}${formatCount(total.value)} event${total.value === 1 ? '' : 's'}${
          events.length < total.value ? ` · ${formatCount(events.length)} shown` : ''
        }`
      : '';

  return (
    <div class="events-view">
      <FilterBar
        filters={state.filters}
        range={state.range}
        tz={state.tz}
        catalog={catalog}
        facets={facets.value}
        events={events}
        shownWindow={shownWindow}
        onApply={(filters, range) => go(filters, range)}
        onReset={() => go([], '24h')}
        onReload={() => setReloads((count) => count + 1)}
      />
      <FilterChips
        fixed={info.filters}
        filters={state.filters}
        onRemove={(index) => go(state.filters.filter((_, position) => position !== index))}
      />
      <div class="toolbar">
        <p class="total" role="status" aria-live="polite">
          {totalText}
        </p>
        <div class="field field-inline">
          <label for="tz-select">Times in</label>
          <select
            id="tz-select"
            value={state.tz}
            onChange={(event) =>
              navigate(
                { ...state, tz: event.currentTarget.value === 'local' ? 'local' : 'utc' },
                { replace: true },
              )
            }
          >
            <option value="utc">UTC</option>
            <option value="local">Local: {zoneLabel()}</option>
          </select>
        </div>
        <LiveToggle
          live={live}
          tz={state.tz}
          onStart={start}
          onStop={stop}
          onPause={pause}
          onResume={resume}
        />
        {canExport && (
          <button type="button" class="primary" onClick={() => setExporting(true)}>
            Export
          </button>
        )}
      </div>
      <Histogram
        histogram={histogram.value}
        loading={histogram.loading}
        problem={histogram.problem}
        tz={state.tz}
        onZoom={(from, to) =>
          go(withValues(withValues(state.filters, 'from', [from]), 'to', [to]), null)
        }
      />
      <div class={state.event ? 'results with-detail' : 'results'}>
        <FacetPanel
          facets={facets.value}
          loading={facets.loading}
          problem={facets.problem}
          catalog={catalog}
          onFilter={(field, value) => go(withValues(state.filters, field, [value]))}
          onExclude={onExclude}
        />
        <div class="results-main">
          {search.problem && <ProblemMessage problem={search.problem} />}
          <EventTable
            events={events}
            catalog={catalog}
            tz={state.tz}
            selectedId={state.event}
            fresh={live.fresh}
            hasMore={!!search.nextCursor}
            loadingMore={search.loadingMore}
            loading={search.loading}
            onOpen={(id) => navigate({ ...state, event: id })}
            onLoadMore={search.loadMore}
          />
          {search.loading && events.length === 0 && (
            <p class="loading" role="status">
              Loading events…
            </p>
          )}
          {!search.loading && !search.problem && events.length === 0 && (
            <p class="empty">No events match these filters in this time range.</p>
          )}
        </div>
        {state.event && (
          <EventDetail
            id={state.event}
            state={state}
            catalog={catalog}
            admin={admin}
            onClose={() => {
              const id = state.event;
              navigate({ ...state, event: null });
              if (id)
                document
                  .querySelector<HTMLElement>(`tr[data-event-id="${CSS.escape(id)}"]`)
                  ?.focus();
            }}
            onFilter={(filters) =>
              go(filters, state.filters.some(([name]) => name === 'from') ? null : state.range)
            }
          />
        )}
      </div>
      {canExport && (
        <ExportDialog
          open={exporting}
          params={params}
          total={total}
          onClose={() => setExporting(false)}
          onJob={() => {
            setExporting(false);
            navigate({ ...state, tab: 'exports', event: null });
          }}
        />
      )}
    </div>
  );
}
