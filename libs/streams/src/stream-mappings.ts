const date = { type: 'date', format: 'strict_date_optional_time||epoch_millis' } as const;
const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const count = { type: 'long' } as const;
/** Kept in `_source` only. */
const opaque = { type: 'object', enabled: false } as const;
const note = { type: 'text', index: false } as const;

/**
 * Strict mapping of a stream document: the definition (destination in its redacted view,
 * secrets sealed), and the state the runner and the admin API move by compare-and-set.
 * Mappings only ever gain fields (the setup service adds them to an existing index).
 */
export const STREAM_MAPPINGS = {
  dynamic: 'strict',
  date_detection: false,
  properties: {
    id: keyword,
    name: keyword,
    company_id: keyword,
    filters: opaque,
    destination: opaque,
    secrets: opaque,
    batch: {
      properties: { max_events: { type: 'integer' }, max_wait_ms: { type: 'integer' } },
    },
    pause_after_failing_seconds: { type: 'integer' },
    on_rejected: keyword,
    created_at: date,
    updated_at: date,
    state: {
      properties: {
        status: keyword,
        paused_reason: note,
        cursor: opaque,
        start_at: date,
        delivered_events: count,
        failed_attempts: count,
        dead_lettered_batches: count,
        last_success_at: date,
        last_error: note,
        last_error_at: date,
        failing_since: date,
        dead_letters: opaque,
        lag_seconds: { type: 'float' },
      },
    },
  },
} as const;
