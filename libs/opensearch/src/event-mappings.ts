/**
 * The strict mapping of a stored event (schema version 1). `details` and `changes` are
 * kept in `_source` only, so arbitrary producer JSON can never grow the mapping.
 */
const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const keywordWithText = { ...keyword, fields: { text: { type: 'text' } } } as const;

const reference = {
  properties: { type: keyword, id: keyword, name: keywordWithText },
} as const;

export const EVENT_MAPPINGS = {
  dynamic: 'strict',
  date_detection: false,
  properties: {
    id: keyword,
    timestamp: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    received_at: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    company_id: keyword,
    action: keywordWithText,
    category: keyword,
    operation: keyword,
    actor: {
      properties: {
        id: keyword,
        type: keyword,
        name: keywordWithText,
        email: keyword,
        impersonator: reference,
      },
    },
    target: {
      properties: {
        type: keyword,
        id: keyword,
        name: keywordWithText,
        ancestors: reference,
      },
    },
    /** `type:id` of every ancestor and of the target itself, for "everything under X". */
    scope: keyword,
    outcome: keyword,
    reason: { type: 'text' },
    source: {
      properties: {
        tool: keyword,
        ip: { type: 'ip' },
        user_agent: keyword,
        request_id: keyword,
        session_id: keyword,
      },
    },
    context: { type: 'flat_object' },
    description: { type: 'text' },
    changes: { type: 'object', enabled: false },
    details: { type: 'object', enabled: false },
    schema_version: { type: 'short' },
    hash: { type: 'keyword', index: false },
    ingest: {
      properties: {
        key_id: keyword,
        client_ip: { type: 'ip' },
        indexed_at: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
      },
    },
    // ECS-style aliases so SIEM tools read the indices without custom mappings. `source.ip`
    // needs none: the event's own field already has the ECS name and type. The full list
    // is in docs/storage.md.
    '@timestamp': { type: 'alias', path: 'timestamp' },
    message: { type: 'alias', path: 'description' },
    event: {
      properties: {
        id: { type: 'alias', path: 'id' },
        action: { type: 'alias', path: 'action' },
        reason: { type: 'alias', path: 'reason' },
        category: { type: 'alias', path: 'category' },
        outcome: { type: 'alias', path: 'outcome' },
        created: { type: 'alias', path: 'received_at' },
      },
    },
    user: {
      properties: {
        id: { type: 'alias', path: 'actor.id' },
        email: { type: 'alias', path: 'actor.email' },
        name: { type: 'alias', path: 'actor.name' },
      },
    },
    user_agent: { properties: { original: { type: 'alias', path: 'source.user_agent' } } },
    organization: { properties: { id: { type: 'alias', path: 'company_id' } } },
  },
} as const;
