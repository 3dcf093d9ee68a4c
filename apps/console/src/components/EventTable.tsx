import { useEffect, useRef } from 'preact/hooks';
import type { AuditEvent, CatalogAction } from '../api-types';
import { ACTOR_TYPE_LABELS, actionLabel, formatTime, renderTemplate, zoneLabel } from '../format';
import type { TimeZoneMode } from '../url-state';

interface Props {
  events: readonly AuditEvent[];
  catalog: ReadonlyMap<string, CatalogAction>;
  tz: TimeZoneMode;
  selectedId: string | null;
  fresh: ReadonlySet<string>;
  hasMore: boolean;
  loadingMore: boolean;
  /** A new search is on its way: the rows shown are the previous answer. */
  loading?: boolean;
  onOpen: (id: string) => void;
  onLoadMore: () => void;
}

export function ActorCell({ actor }: { actor: AuditEvent['actor'] }) {
  const main = actor.name || actor.email || actor.id;
  return (
    <div class="actor">
      <span class={`badge actor-${actor.type}`}>{ACTOR_TYPE_LABELS[actor.type] ?? actor.type}</span>{' '}
      <span class="actor-name">{main}</span>
      {actor.name && actor.email && <span class="muted actor-sub"> {actor.email}</span>}
      {main !== actor.id && <span class="muted actor-sub mono"> {actor.id}</span>}
      {actor.impersonator && (
        <div class="impersonator muted">
          via {actor.impersonator.name || actor.impersonator.id}
          {actor.impersonator.type ? ` (${actor.impersonator.type})` : ''}
        </div>
      )}
    </div>
  );
}

export function TargetCell({ target }: { target: AuditEvent['target'] }) {
  if (!target) return <span class="muted">—</span>;
  const ancestors = target.ancestors ?? [];
  return (
    <div class="target">
      {ancestors.length > 0 && (
        <ol class="breadcrumb" aria-label="Ancestors">
          {ancestors.map((ancestor, index) => (
            <li
              key={`${ancestor.type}:${ancestor.id}:${index}`}
              title={`${ancestor.type}: ${ancestor.id}`}
            >
              {ancestor.name || ancestor.id}
            </li>
          ))}
        </ol>
      )}
      <span class="target-name">{target.name || target.id}</span>
      {target.type && <span class="muted"> {target.type}</span>}
    </div>
  );
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return <span class={`badge outcome-${outcome}`}>{outcome}</span>;
}

/** The events, one focusable row each: arrows move, Enter opens the detail. */
export function EventTable(props: Props) {
  const { events, catalog, tz, selectedId, fresh, hasMore, loadingMore, onOpen, onLoadMore } =
    props;
  const loading = props.loading ?? false;
  const body = useRef<HTMLTableSectionElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const loadMore = useRef(onLoadMore);
  loadMore.current = onLoadMore;

  // Infinite scroll: the next page loads when the end of the table comes into view.
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) loadMore.current();
      },
      { rootMargin: '400px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, events.length]);

  // One tab stop for the whole table (the open event, else the first row); arrows move.
  const tabStop =
    selectedId && events.some((event) => event.id === selectedId) ? selectedId : events[0]?.id;

  const onKeyDown = (event: KeyboardEvent) => {
    const rows = Array.from(
      body.current?.querySelectorAll<HTMLTableRowElement>('tr[data-event-id]') ?? [],
    );
    const index = rows.findIndex((row) => row === document.activeElement);
    if (index === -1) return;
    let next: number;
    if (event.key === 'ArrowDown') next = Math.min(index + 1, rows.length - 1);
    else if (event.key === 'ArrowUp') next = Math.max(index - 1, 0);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = rows.length - 1;
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const id = rows[index]?.dataset.eventId;
      if (id) onOpen(id);
      return;
    } else return;
    event.preventDefault();
    rows[next]?.focus();
    if (next === rows.length - 1 && hasMore) onLoadMore();
  };

  return (
    <div class={loading ? 'table-wrap stale' : 'table-wrap'} aria-busy={loading}>
      <table class="events" aria-label="Events" aria-describedby="events-keys">
        <thead>
          <tr>
            <th scope="col">Time ({tz === 'utc' ? 'UTC' : zoneLabel()})</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Source</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody ref={body} onKeyDown={onKeyDown}>
          {events.map((event) => {
            const entry = catalog.get(event.action);
            const label = actionLabel(event.action, catalog);
            return (
              <tr
                key={event.id}
                data-event-id={event.id}
                tabIndex={event.id === tabStop ? 0 : -1}
                aria-current={event.id === selectedId ? 'true' : undefined}
                class={`${event.id === selectedId ? 'selected' : ''} ${fresh.has(event.id) ? 'fresh' : ''}`}
                onClick={() => onOpen(event.id)}
              >
                <td class="time mono" data-label="Time">
                  <time dateTime={event.timestamp}>{formatTime(event.timestamp, tz)}</time>
                </td>
                <td data-label="Actor">
                  <ActorCell actor={event.actor} />
                </td>
                <td data-label="Action">
                  <div class="action">
                    <span class="action-label">{label}</span>
                    {label !== event.action && (
                      <span class="muted mono action-code"> {event.action}</span>
                    )}
                    {entry?.template ? (
                      <div class="summary">{renderTemplate(entry.template, event)}</div>
                    ) : (
                      event.description && <div class="summary muted">{event.description}</div>
                    )}
                  </div>
                </td>
                <td data-label="Target" class={event.target ? undefined : 'empty-cell'}>
                  <TargetCell target={event.target} />
                </td>
                <td data-label="Outcome">
                  <OutcomeBadge outcome={event.outcome} />
                </td>
                <td data-label="Source">{event.source?.tool ?? <span class="muted">—</span>}</td>
                <td data-label="IP" class="mono">
                  {event.source?.ip ?? <span class="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p id="events-keys" class="sr-only">
        Rows are focusable: arrow keys move between events, Enter opens the detail.
      </p>
      <div ref={sentinel} class="table-end">
        {hasMore ? (
          <button type="button" onClick={onLoadMore} disabled={loadingMore} aria-busy={loadingMore}>
            Load more
          </button>
        ) : (
          events.length > 0 && <p class="muted">End of the results.</p>
        )}
      </div>
    </div>
  );
}
