import type { Client } from '@opensearch-project/opensearch';
import { eventHash, type StoredEvent } from '@auditlog/events';
import { eventDocumentId } from '@auditlog/opensearch';

export interface StoredSet {
  /** Event ids as stored, one entry per document (a duplicate shows up twice). */
  ids: string[];
  /** Ids of documents that are incomplete or whose hash does not match their content. */
  broken: string[];
}

/** Reads every event document under the prefix (scroll) and checks each one's hash. */
export async function readStoredEvents(client: Client, prefix: string): Promise<StoredSet> {
  const index = `${prefix}-events-*`;
  await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const ids: string[] = [];
  const broken: string[] = [];
  let { body } = await client.search({
    index,
    scroll: '1m',
    ignore_unavailable: true,
    allow_no_indices: true,
    body: { size: 5000, query: { match_all: {} }, sort: ['_doc'] },
  });
  for (;;) {
    const hits = body.hits.hits as Array<{ _id: string; _source: StoredEvent }>;
    if (hits.length === 0) break;
    for (const hit of hits) {
      ids.push(hit._source.id);
      if (!isComplete(hit._id, hit._source)) broken.push(hit._source.id ?? hit._id);
    }
    ({ body } = await client.scroll({ scroll_id: body._scroll_id as string, scroll: '1m' }));
  }
  if (body._scroll_id) await client.clearScroll({ scroll_id: body._scroll_id });
  return { ids, broken };
}

/**
 * A stored document is complete when it is a whole event: its document id is derived
 * from its own company and id, and its hash (over everything an owner receives, so
 * without the admin-only `ingest` and the `scope` helper) verifies.
 */
export function isComplete(documentId: string, stored: StoredEvent): boolean {
  if (typeof stored?.id !== 'string' || typeof stored.hash !== 'string') return false;
  if (documentId !== eventDocumentId(stored.company_id, stored.id)) return false;
  const { ingest: _ingest, scope: _scope, ...event } = stored;
  return eventHash(event) === stored.hash && typeof stored.ingest?.key_id === 'string';
}

/** Ids that appear more than once. */
export function repeated(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

/** Members of `expected` missing from `actual`. */
export function missingFrom(expected: Iterable<string>, actual: Iterable<string>): string[] {
  const present = new Set(actual);
  return [...expected].filter((id) => !present.has(id));
}
