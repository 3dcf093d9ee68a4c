import { normalizeEvent, type StoredEvent } from '@auditlog/events';

/** A producer event as the ingest app stores it (validated and hashed). */
export function stored(input: unknown): StoredEvent {
  const result = normalizeEvent(input, { keyId: 'bench', now: new Date() });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.event;
}

/** Today's index of the 90-day class under `prefix`, as the ingest app names it. */
export function rawIndex(prefix: string): string {
  return `${prefix}-events-90d-${new Date().toISOString().slice(0, 10).replace(/-/g, '.')}`;
}

/** A raw `_bulk` body creating the stored documents in `index`, ids as the app makes them. */
export function bulkBody(index: string, documents: readonly StoredEvent[]): string {
  return documents
    .map(
      (document) =>
        `${JSON.stringify({ create: { _index: index, _id: `${document.company_id}:${document.id}` } })}\n${JSON.stringify(document)}\n`,
    )
    .join('');
}
