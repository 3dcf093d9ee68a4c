import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, setCompany } from '../api';
import type { CatalogAction, SessionInfo } from '../api-types';
import { formatTime } from '../format';
import { isAdmin } from '../session';
import { type Tab } from '../url-state';
import { navigate, useViewState } from '../history';
import { CompanyPicker } from './CompanyPicker';
import { EventTable } from './EventTable';
import { EventsView } from './EventsView';
import { ExportHistory } from './ExportHistory';
import { IntegrityPanel } from './IntegrityPanel';

interface Props {
  info: SessionInfo;
  onSignOut: () => void;
}

const TABS: ReadonlyArray<{ id: Tab; label: string }> = [
  { id: 'events', label: 'Events' },
  { id: 'exports', label: 'Exports' },
  { id: 'integrity', label: 'Integrity' },
];

/** The signed-in page: header, section tabs and the chosen view. */
export function Console({ info, onSignOut }: Props) {
  const state = useViewState();
  const admin = isAdmin(info);
  const canExport = info.permissions.includes('export');
  const tabs = TABS.filter((tab) => tab.id !== 'exports' || canExport);
  const tab = tabs.some((candidate) => candidate.id === state.tab) ? state.tab : 'events';
  // Admins read the company of the URL (or their token's); owners never send company_id.
  const companyId = admin ? (state.companyId ?? info.company_id) : null;
  setCompany(companyId);

  const [catalog, setCatalog] = useState<ReadonlyMap<string, CatalogAction>>(new Map());
  useEffect(() => {
    if (admin && !companyId) return;
    const controller = new AbortController();
    api
      .catalog(controller.signal)
      .then((answer) => setCatalog(new Map(answer.actions.map((entry) => [entry.action, entry]))))
      .catch(() => setCatalog(new Map())); // labels are optional: codes are shown instead
    return () => controller.abort();
  }, [admin, companyId]);

  const tabRefs = useRef<Array<HTMLButtonElement | null>>([]);
  const selectTab = (next: Tab) => navigate({ ...state, tab: next, event: null });
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const offset = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!offset) return;
    event.preventDefault();
    const next = (index + offset + tabs.length) % tabs.length;
    const tab = tabs[next];
    if (!tab) return;
    tabRefs.current[next]?.focus();
    selectTab(tab.id);
  };

  const expires = useMemo(
    () => (info.expires_at ? formatTime(info.expires_at, state.tz) : null),
    [info.expires_at, state.tz],
  );

  return (
    <div class="console">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <h1 class="brand">Audit log</h1>
        <div class="who">
          {admin ? (
            <CompanyPicker
              companyId={companyId}
              onPick={(id) => navigate({ ...state, companyId: id, event: null })}
            />
          ) : (
            <span class="company">
              <span class="muted">Company</span> <strong>{info.company_id}</strong>
            </span>
          )}
          <span class="subject">
            <span class="muted">Signed in as</span> <strong>{info.subject}</strong>
            {admin && <span class="badge badge-admin">installation admin</span>}
            {info.via === 'viewer' && <span class="badge">viewer</span>}
          </span>
          {expires && (
            <span class="expires muted" title="The session ends at this time">
              until {expires}
            </span>
          )}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="tabs-nav" aria-label="Sections">
        <div role="tablist" aria-label="Sections" class="tabs">
          {tabs.map((candidate, index) => (
            <button
              key={candidate.id}
              type="button"
              role="tab"
              id={`tab-${candidate.id}`}
              aria-selected={tab === candidate.id}
              aria-controls="tabpanel"
              tabIndex={tab === candidate.id ? 0 : -1}
              ref={(element) => {
                tabRefs.current[index] = element;
              }}
              onClick={() => selectTab(candidate.id)}
              onKeyDown={(event) => onTabKey(event, index)}
            >
              {candidate.label}
            </button>
          ))}
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        <div role="tabpanel" id="tabpanel" aria-labelledby={`tab-${tab}`}>
          {admin && !companyId ? (
            <>
              <EventTable
                events={[]}
                catalog={catalog}
                tz={state.tz}
                selectedId={null}
                fresh={new Set()}
                hasMore={false}
                loadingMore={false}
                onOpen={() => undefined}
                onLoadMore={() => undefined}
              />
              <p class="empty">Choose a company above to see its events.</p>
            </>
          ) : tab === 'events' ? (
            <EventsView
              key={companyId ?? ''}
              state={state}
              info={info}
              admin={admin}
              canExport={canExport}
              catalog={catalog}
            />
          ) : tab === 'exports' ? (
            <ExportHistory key={companyId ?? ''} tz={state.tz} />
          ) : (
            <IntegrityPanel key={companyId ?? ''} tz={state.tz} />
          )}
        </div>
      </main>
    </div>
  );
}
