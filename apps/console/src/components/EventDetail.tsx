import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Params } from '../api';
import type { AuditEvent, CatalogAction } from '../api-types';
import { ACTOR_TYPE_LABELS, actionLabel, formatTime, renderTemplate } from '../format';
import { useLoad } from '../use-events';
import { type TimeZoneMode, toSearch, type ViewState } from '../url-state';
import { DiffTable } from './DiffTable';
import { OutcomeBadge } from './EventTable';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  id: string;
  state: ViewState;
  catalog: ReadonlyMap<string, CatalogAction>;
  admin: boolean;
  onClose: () => void;
  /** Show the events matching one filter (keeps the time window). */
  onFilter: (filters: Params) => void;
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  if (children === undefined || children === null || children === false || children === '')
    return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Mono({ value }: { value: string | undefined }) {
  return value ? <span class="mono">{value}</span> : null;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [status, setStatus] = useState('');
  return (
    <span class="copy">
      <button
        type="button"
        onClick={() => {
          navigator.clipboard
            .writeText(text)
            .then(() => setStatus('Copied'))
            .catch(() => setStatus('Copy failed: select the text and copy it'));
        }}
      >
        {label}
      </button>
      <span role="status" class="muted">
        {status}
      </span>
    </span>
  );
}

function links(event: AuditEvent): Array<{ label: string; filters: Params }> {
  const result: Array<{ label: string; filters: Params }> = [];
  const context = event.context ?? {};
  if (context.task_id)
    result.push({
      label: 'All events of this task',
      filters: [['context.task_id', context.task_id]],
    });
  if (context.agent_id)
    result.push({
      label: 'All events of this agent',
      filters: [['context.agent_id', context.agent_id]],
    });
  if (context.flow_id)
    result.push({
      label: 'All events of this flow',
      filters: [['context.flow_id', context.flow_id]],
    });
  if (context.transaction_id)
    result.push({
      label: 'All events of this transaction',
      filters: [['context.transaction_id', context.transaction_id]],
    });
  if (event.target?.type && event.target.id)
    result.push({
      label: 'All events of this target',
      filters: [
        ['target_type', event.target.type],
        ['target_id', event.target.id],
      ],
    });
  result.push({ label: 'All events of this actor', filters: [['actor_id', event.actor.id]] });
  return result;
}

/** Every field of one event, its changes, details and links to related events. */
export function EventDetail({ id, state, catalog, admin, onClose, onFilter }: Props) {
  const loaded = useLoad((signal) => api.event(id, signal), id);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);
  const event = loaded.value;
  const tz = state.tz;
  const windowOnly = state.filters.filter(([name]) => name === 'from' || name === 'to');

  return (
    <section
      class="detail"
      aria-label="Event detail"
      onKeyDown={(key) => {
        if (key.key === 'Escape') onClose();
      }}
    >
      <div class="detail-head">
        <h2 ref={heading} tabIndex={-1}>
          {event ? actionLabel(event.action, catalog) : 'Event'}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close event detail">
          Close
        </button>
      </div>
      {loaded.loading && !event && <p role="status">Loading the event…</p>}
      {loaded.problem && <ProblemMessage problem={loaded.problem} />}
      {event && <EventFields event={event} catalog={catalog} tz={tz} admin={admin} />}
      {event && (
        <div class="detail-links">
          <h3>Related</h3>
          <ul>
            {links(event).map((link) => {
              const next: ViewState = {
                ...state,
                filters: [...windowOnly, ...link.filters],
                event: null,
              };
              return (
                <li key={link.label}>
                  <a
                    href={`${location.pathname}${toSearch(next)}`}
                    onClick={(click) => {
                      if (click.ctrlKey || click.metaKey || click.shiftKey) return;
                      click.preventDefault();
                      onFilter(next.filters);
                    }}
                  >
                    {link.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}

function EventFields({
  event,
  catalog,
  tz,
  admin,
}: {
  event: AuditEvent;
  catalog: ReadonlyMap<string, CatalogAction>;
  tz: TimeZoneMode;
  admin: boolean;
}) {
  const entry = catalog.get(event.action);
  const details = event.details ? JSON.stringify(event.details, null, 2) : null;
  return (
    <>
      {entry?.template && <p class="summary">{renderTemplate(entry.template, event)}</p>}
      {event.description && <p class="summary">{event.description}</p>}
      <h3>Event</h3>
      <dl class="fields">
        <Row label="Time">{formatTime(event.timestamp, tz, true)}</Row>
        <Row label="Received">{formatTime(event.received_at, tz, true)}</Row>
        <Row label="Action">
          <span class="mono">{event.action}</span>
          {entry?.description && <div class="muted">{entry.description}</div>}
        </Row>
        <Row label="Category">{event.category}</Row>
        <Row label="Operation">{event.operation}</Row>
        <Row label="Outcome">
          <OutcomeBadge outcome={event.outcome} />
        </Row>
        <Row label="Reason">{event.reason}</Row>
        <Row label="Event id">{event.id && <Mono value={event.id} />}</Row>
        <Row label="Company">{event.company_id && <Mono value={event.company_id} />}</Row>
      </dl>
      <h3>Actor</h3>
      <dl class="fields">
        <Row label="Type">{ACTOR_TYPE_LABELS[event.actor.type] ?? event.actor.type}</Row>
        <Row label="Id">{event.actor.id && <Mono value={event.actor.id} />}</Row>
        <Row label="Name">{event.actor.name}</Row>
        <Row label="Email">{event.actor.email}</Row>
        {event.actor.impersonator && (
          <Row label="Impersonated by">
            {event.actor.impersonator.name || event.actor.impersonator.id}
            {event.actor.impersonator.type && ` (${event.actor.impersonator.type})`}{' '}
            <Mono value={event.actor.impersonator.id} />
          </Row>
        )}
      </dl>
      {event.target && (
        <>
          <h3>Target</h3>
          <dl class="fields">
            <Row label="Type">{event.target.type}</Row>
            <Row label="Id">{event.target.id && <Mono value={event.target.id} />}</Row>
            <Row label="Name">{event.target.name}</Row>
            {event.target.ancestors && event.target.ancestors.length > 0 && (
              <Row label="Under">
                <ol class="breadcrumb" aria-label="Ancestors">
                  {event.target.ancestors.map((ancestor, index) => (
                    <li key={`${ancestor.type}:${ancestor.id}:${index}`}>
                      {ancestor.name || ancestor.id}{' '}
                      <span class="muted">
                        {ancestor.type} <span class="mono">{ancestor.id}</span>
                      </span>
                    </li>
                  ))}
                </ol>
              </Row>
            )}
          </dl>
        </>
      )}
      {event.source && (
        <>
          <h3>Source</h3>
          <dl class="fields">
            <Row label="Tool">{event.source.tool}</Row>
            <Row label="IP">{event.source.ip && <Mono value={event.source.ip} />}</Row>
            <Row label="User agent">{event.source.user_agent}</Row>
            <Row label="Request id">
              {event.source.request_id && <Mono value={event.source.request_id} />}
            </Row>
            <Row label="Session id">
              {event.source.session_id && <Mono value={event.source.session_id} />}
            </Row>
          </dl>
        </>
      )}
      {event.context && Object.keys(event.context).length > 0 && (
        <>
          <h3>Context</h3>
          <dl class="fields">
            {Object.entries(event.context).map(([key, value]) => (
              <Row key={key} label={key}>
                {value && <Mono value={value} />}
              </Row>
            ))}
          </dl>
        </>
      )}
      {event.changes && event.changes.length > 0 && (
        <>
          <h3>Changes</h3>
          <DiffTable changes={event.changes} />
        </>
      )}
      {details && (
        <>
          <div class="details-head">
            <h3>Details</h3>
            <CopyButton text={details} label="Copy" />
          </div>
          <pre class="json" tabIndex={0} aria-label="Details JSON">
            {details}
          </pre>
        </>
      )}
      <h3>Integrity</h3>
      <dl class="fields">
        <Row label="Hash (SHA-256)">{event.hash && <Mono value={event.hash} />}</Row>
        <Row label="Schema version">{String(event.schema_version)}</Row>
      </dl>
      {admin && event.ingest && (
        <>
          <h3>Ingest (admins only)</h3>
          <dl class="fields">
            <Row label="ingest.key_id">
              {event.ingest.key_id && <Mono value={event.ingest.key_id} />}
            </Row>
            <Row label="ingest.client_ip">
              {event.ingest.client_ip && <Mono value={event.ingest.client_ip} />}
            </Row>
          </dl>
        </>
      )}
    </>
  );
}
