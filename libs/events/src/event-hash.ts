import { hash } from 'node:crypto';
import type { AuditEvent } from './audit-event';
import { canonicalJson } from './canonical-json';

/**
 * SHA-256 hex of a canonical JSON text: the hash of the event that text is. The one-shot
 * `crypto.hash` builds no Hash object, which once per ingested event was a visible cost.
 */
export function hashOfCanonical(canonical: string): string {
  return hash('sha256', canonical, 'hex');
}

/**
 * The event hash covers exactly what a company owner receives (every field but `hash`
 * itself), so anyone holding an exported event can recompute it. Admin-only ingest
 * metadata and index helpers are not part of the event and are not hashed.
 */
export function eventHash(event: Omit<AuditEvent, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...hashed } = event;
  return hashOfCanonical(canonicalJson(hashed));
}
