import type { Outcome } from '@auditlog/events';
import type { TailPosition } from '@auditlog/tail';

export type { TailPosition };
import type { DestinationConfig } from '@auditlog/stream-destinations';

export interface StreamFilters {
  categories?: string[];
  action_prefixes?: string[];
  outcomes?: Outcome[];
}

/** `pause`: the stream stops and says why; `dead_letter`: the batch is recorded and skipped. */
export type RejectedBatchPolicy = 'pause' | 'dead_letter';

export type StreamStatus = 'active' | 'paused' | 'failing';

export interface StreamDefinition {
  id: string;
  name: string;
  /** null: every company. */
  company_id: string | null;
  filters: StreamFilters;
  destination: DestinationConfig;
  batch: { max_events: number; max_wait_ms: number };
  /** After failing this long without one delivery, the stream pauses itself. */
  pause_after_failing_seconds: number;
  on_rejected: RejectedBatchPolicy;
  created_at: string;
  updated_at: string;
}

export interface StreamState {
  status: StreamStatus;
  /** Why the stream is paused (by an admin, or by itself). */
  paused_reason?: string;
  /** Everything at or before this position has been acknowledged by the destination. */
  cursor: TailPosition | null;
  /** Where delivery starts when cursor is null (ISO time). */
  start_at: string;
  delivered_events: number;
  failed_attempts: number;
  dead_lettered_batches: number;
  last_success_at?: string;
  last_error?: string;
  last_error_at?: string;
  failing_since?: string;
  /** The batches skipped under `on_rejected: dead_letter`, newest last (the last 20). */
  dead_letters?: DeadLetter[];
  /** Age of the oldest undelivered event when the runner last looked (seconds). */
  lag_seconds?: number;
}

/** A batch the destination rejected and the stream skipped. */
export interface DeadLetter {
  at: string;
  status?: number;
  error: string;
  count: number;
  /** The first and last event of the batch (company_id, id), in tail order. */
  first: { company_id: string; id: string };
  last: { company_id: string; id: string };
}

export type Stream = StreamDefinition & { state: StreamState };
