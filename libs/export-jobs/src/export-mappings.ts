/**
 * The strict mapping of the export history index (`<prefix>-exports`): one document per
 * export, its fields as documented in docs/export.md. Filters are kept in `_source` only.
 */
const keyword = { type: 'keyword' } as const;
const date = { type: 'date' } as const;

export const EXPORT_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    id: keyword,
    company_id: keyword,
    name: { type: 'keyword', ignore_above: 512 },
    format: keyword,
    filters: { type: 'object', enabled: false },
    query: { type: 'object', enabled: false },
    admin_view: { type: 'boolean' },
    created_by: keyword,
    restriction: keyword,
    status: keyword,
    progress: { type: 'integer' },
    rows: { type: 'long' },
    bytes: { type: 'long' },
    sha256: { type: 'keyword', index: false },
    created_at: date,
    updated_at: date,
    started_at: date,
    completed_at: date,
    expires_at: date,
    error: { type: 'text', index: false },
    attempts: { type: 'integer' },
    file: { type: 'keyword', index: false },
    webhook_url: { type: 'keyword', index: false },
    include_integrity: { type: 'boolean' },
    digests_file: { type: 'keyword', index: false },
    manifest_file: { type: 'keyword', index: false },
  },
} as const;
