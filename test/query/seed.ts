import type { Client } from '@opensearch-project/opensearch';
import type { StoredEvent } from '@auditlog/events';
import { eventDocumentId, IndexNames } from '@auditlog/opensearch';
import { firstOf } from '@auditlog/testing';

export type SeedEvent = Partial<StoredEvent> & Pick<StoredEvent, 'id' | 'company_id' | 'timestamp'>;

/** A stored event with sensible defaults; `scope` is derived as ingest stores it. */
export function storedEvent(event: SeedEvent): StoredEvent {
  const target = event.target;
  const scope = target
    ? [...(target.ancestors ?? []), target]
        .filter((ref) => ref.type && ref.id)
        .map((ref) => `${ref.type}:${ref.id}`)
    : undefined;
  return {
    received_at: event.timestamp,
    action: 'flow.created',
    category: firstOf((event.action ?? 'flow.created').split('.')),
    actor: { id: 'alice', type: 'user' },
    outcome: 'success',
    schema_version: 1,
    hash: '0'.repeat(64),
    ingest: { key_id: 'seed', client_ip: '192.0.2.1' },
    ...(scope ? { scope } : {}),
    ...event,
  };
}

/** Writes events straight into their daily indices (default class) and refreshes. */
export async function seedEvents(
  client: Client,
  prefix: string,
  events: SeedEvent[],
  retentionClass = '90d',
): Promise<void> {
  const names = new IndexNames(prefix);
  for (let start = 0; start < events.length; start += 5000) {
    const body = events.slice(start, start + 5000).flatMap((event) => [
      {
        create: {
          _index: names.eventsIndex(retentionClass, event.timestamp),
          _id: eventDocumentId(event.company_id, event.id),
        },
      },
      storedEvent(event),
    ]);
    const { body: result } = await client.bulk({ body });
    if (result.errors) throw new Error(`seed failed: ${JSON.stringify(result.items[0])}`);
  }
  await client.indices.refresh({ index: `${prefix}-events-*` });
}
