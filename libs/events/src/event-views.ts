import type { AuditEvent, StoredEvent } from './audit-event';

/** Strips fields company owners never see. */
export function toOwnerView(stored: StoredEvent): AuditEvent {
  const { ingest: _ingest, scope: _scope, ...event } = stored;
  return event;
}

/** Installation admins also see `ingest.*`; `scope` is an index helper for everyone. */
export function toAdminView(stored: StoredEvent): AuditEvent & Pick<StoredEvent, 'ingest'> {
  const { scope: _scope, ...event } = stored;
  return event;
}

/** A reader's view of an event: the admin view, or the owner view without `ingest`. */
export type EventView = AuditEvent & Partial<Pick<StoredEvent, 'ingest'>>;

/** The projection for a reader: admins see `ingest.*`, company owners do not. */
export function viewFor(admin: boolean): (stored: StoredEvent) => EventView {
  return admin ? toAdminView : toOwnerView;
}
