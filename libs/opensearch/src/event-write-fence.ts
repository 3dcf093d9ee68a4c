/** One `_bulk` of events as the fence sees it: the stamp its documents carry. */
export interface FencedWrite {
  /** `ingest.indexed_at` of the documents, epoch ms. */
  stamp: number;
  /** Called once the call settled (acknowledged or failed). */
  close(): void;
}

/**
 * Registers event writes while they are in flight, so the tail's watermark never passes a
 * write that may still become searchable (libs/tail). Processes without it write unfenced.
 */
export interface EventWriteFence {
  open(): Promise<FencedWrite>;
}

export const EVENT_WRITE_FENCE = Symbol('EVENT_WRITE_FENCE');
