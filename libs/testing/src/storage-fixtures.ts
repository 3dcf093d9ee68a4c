import { randomUUID } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';

/** A stored event document as the strict mapping accepts it, for writing straight to indices. */
export function storedEventDocument(
  companyId: string,
  timestamp: Date,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: randomUUID(),
    timestamp: timestamp.toISOString(),
    received_at: timestamp.toISOString(),
    company_id: companyId,
    action: 'flow.created',
    category: 'flow',
    actor: { id: 'alice', type: 'user' },
    outcome: 'success',
    schema_version: 1,
    hash: 'f'.repeat(64),
    ...extra,
  };
}

/** Creates an events index (through the template) holding one document, refreshed. */
export async function seedIndex(
  client: Client,
  index: string,
  companyId: string,
  at: Date,
): Promise<void> {
  await client.index({ index, body: storedEventDocument(companyId, at), refresh: true });
}

/** UTC midnight `days` days before `now`. */
export function daysAgo(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}
