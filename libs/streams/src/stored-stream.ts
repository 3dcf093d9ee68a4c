import type { RedactedDestination } from '@auditlog/stream-destinations';
import type { SealedSecret } from './secret-box';
import type { Stream, StreamState } from './stream';

/**
 * A stream as stored and as read by `StreamRepository`: the destination in its redacted view
 * (no secret values; `<field>_set` flags) and its secrets sealed together. The runner gets
 * the full `DestinationConfig` from `StreamRepository.decryptDestination`.
 */
export type StoredStream = Omit<Stream, 'destination'> & {
  destination: RedactedDestination;
  /** The destination's secrets as one sealed JSON object; null when it has none. */
  secrets: SealedSecret | null;
};

/** The document version: every write names the version it read (optimistic concurrency). */
export interface StreamVersion {
  seq_no: number;
  primary_term: number;
}

export interface VersionedStream {
  stream: StoredStream;
  version: StreamVersion;
}

export type { StreamState };
