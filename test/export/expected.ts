import type { StoredEvent } from '@auditlog/events';

/** Independent restatement of docs/export.md: the column set and cell rules. */
export const HEADERS = [
  'id',
  'timestamp',
  'received_at',
  'company_id',
  'action',
  'category',
  'operation',
  'outcome',
  'actor.id',
  'actor.type',
  'actor.name',
  'actor.email',
  'actor.impersonator',
  'target.type',
  'target.id',
  'target.name',
  'target.ancestors',
  'reason',
  'description',
  'source.tool',
  'source.ip',
  'source.user_agent',
  'source.request_id',
  'source.session_id',
  'context',
  'changes',
  'details',
  'schema_version',
  'hash',
];

export function ownerView(event: StoredEvent): Record<string, unknown> {
  const { scope: _scope, ingest: _ingest, ...view } = event;
  return view;
}

function at(event: Record<string, unknown>, header: string): unknown {
  return header
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      event,
    );
}

/** The cells of one event as text, the way a CSV reader returns them. */
export function expectedCells(event: StoredEvent): string[] {
  const view = ownerView(event);
  return HEADERS.map((header) => {
    const value = at(view, header);
    if (value === undefined || value === null) return '';
    if (typeof value === 'number') return String(value);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const risky =
      /^[\t\r]/.test(text) || /^[\s\p{Cc}\p{Cf}]*[=+\-@\uff1d\uff0b\uff0d\uff20]/u.test(text);
    return risky ? `'${text}` : text;
  });
}
