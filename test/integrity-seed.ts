import type { INestApplication } from '@nestjs/common';
import { normalizeEvent, type StoredEvent } from '@auditlog/events';
import { EventRepository, eventDocumentId } from '@auditlog/opensearch';
import { IndexRouter } from '@auditlog/retention';

/**
 * Stores one event as ingest would, received at the given instant (so the digest job seals
 * it into that instant's window), through an app that provides the storage services. Its
 * `timestamp` is the same instant unless given (a late or an early event).
 */
export async function storeReceived(
  app: INestApplication,
  companyId: string,
  id: string,
  receivedAt: Date,
  action = 'flow.created',
  timestamp: Date = receivedAt,
): Promise<StoredEvent> {
  const result = normalizeEvent(
    {
      id,
      timestamp: timestamp.toISOString(),
      company_id: companyId,
      action,
      actor: { id: 'alice' },
    },
    { keyId: 'test', now: receivedAt },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const router = app.get(IndexRouter);
  const [outcome] = await app.get(EventRepository).bulkCreate([
    {
      index: await router.writeIndexFor(companyId, result.event.timestamp),
      id: eventDocumentId(companyId, id),
      document: result.event,
    },
  ]);
  if (outcome?.status !== 'created') {
    throw new Error(`event ${id} not stored: ${outcome?.status ?? 'no outcome'}`);
  }
  return result.event;
}
