import type { AuditEvent, CatalogAction } from './api-types';
import type { TimeZoneMode } from './url-state';

const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

function pad(value: number, size = 2): string {
  return String(value).padStart(size, '0');
}

function offsetOf(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026-12-01 09:13:33.120 UTC`, or the local time with its zone written out. */
export function formatTime(iso: string, tz: TimeZoneMode, withMs = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const ms = withMs
    ? `.${pad(tz === 'utc' ? date.getUTCMilliseconds() : date.getMilliseconds(), 3)}`
    : '';
  if (tz === 'utc') {
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${ms} UTC`;
  }
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${ms} ${zoneLabel(date)}`;
}

/** The zone written out: `Europe/Paris (UTC+01:00)`. */
export function zoneLabel(date = new Date()): string {
  return `${localZone} (${offsetOf(date)})`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export const ACTOR_TYPE_LABELS: Record<string, string> = {
  user: 'User',
  api_token: 'API token',
  service: 'Service',
  agent: 'Agent',
  system: 'System',
};

export function actorName(actor: AuditEvent['actor']): string {
  return actor.name || actor.email || actor.id;
}

/** Renders a catalog display template: `{actor.name} deployed {target.name}`. */
export function renderTemplate(template: string, event: AuditEvent): string {
  const values: Record<string, string | undefined> = {
    'actor.name': event.actor.name ?? event.actor.email ?? event.actor.id,
    'actor.id': event.actor.id,
    'target.name': event.target?.name ?? event.target?.id,
    'target.id': event.target?.id,
    'target.type': event.target?.type,
    outcome: event.outcome,
  };
  return template.replace(/\{([a-z_.]+)\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? (values[key] ?? '—') : whole,
  );
}

export function actionLabel(action: string, catalog: ReadonlyMap<string, CatalogAction>): string {
  const entry = catalog.get(action);
  return entry?.label || action;
}

/** JSON values of a diff cell: strings as they are, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}
