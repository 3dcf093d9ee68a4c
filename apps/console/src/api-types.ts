/**
 * Shapes of the query and export APIs as the console reads them, written against the
 * committed OpenAPI documents (docs/openapi/query.json, docs/openapi/export.json) and the
 * ADR 0080 endpoints (viewer sessions, session, catalog, admin companies).
 */

export type ActorType = 'user' | 'api_token' | 'service' | 'agent' | 'system';
export type Operation =
  'create' | 'read' | 'update' | 'delete' | 'execute' | 'login' | 'logout' | 'other';
export type Outcome = 'success' | 'failure';

export const ACTOR_TYPES: readonly ActorType[] = [
  'user',
  'api_token',
  'service',
  'agent',
  'system',
];
export const OPERATIONS: readonly Operation[] = [
  'create',
  'read',
  'update',
  'delete',
  'execute',
  'login',
  'logout',
  'other',
];
export const OUTCOMES: readonly Outcome[] = ['success', 'failure'];

export interface ObjectRef {
  type?: string;
  id?: string;
  name?: string;
}

export interface AuditEvent {
  id: string;
  timestamp: string;
  received_at: string;
  company_id: string;
  action: string;
  category: string;
  operation?: Operation;
  actor: {
    id: string;
    type: ActorType;
    name?: string;
    email?: string;
    impersonator?: ObjectRef;
  };
  target?: ObjectRef & { ancestors?: ObjectRef[] };
  outcome: Outcome;
  reason?: string;
  source?: {
    tool?: string;
    ip?: string;
    user_agent?: string;
    request_id?: string;
    session_id?: string;
  };
  context?: Record<string, string>;
  description?: string;
  changes?: Array<{ field: string; before?: unknown; after?: unknown }>;
  details?: Record<string, unknown>;
  schema_version: number;
  hash: string;
  /** Installation admins only. */
  ingest?: { key_id?: string; client_ip?: string };
}

export interface EventPage {
  data: AuditEvent[];
  next_cursor: string | null;
  total: { value: number; relation: 'eq' | 'gte' };
}

export interface Histogram {
  interval: string;
  from: string;
  to: string;
  total: number;
  buckets: Array<{ timestamp: string; count: number }>;
}

export const FACET_FIELDS = [
  'action',
  'category',
  'operation',
  'actor_id',
  'actor_email',
  'actor_type',
  'target_type',
  'target_id',
  'outcome',
  'source_tool',
] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export interface Facets {
  field: FacetField;
  values: Array<{ value: string; count: number }>;
  other_count: number;
}

export interface CatalogAction {
  action: string;
  label?: string | null;
  description?: string | null;
  category?: string | null;
  operation?: string | null;
  template?: string | null;
  registered: boolean;
  count: number;
}

export interface Catalog {
  actions: CatalogAction[];
}

export type Permission = 'view' | 'export';

/** `GET /v1/session`: who the caller is. */
export interface SessionInfo {
  subject: string;
  company_id: string | null;
  roles: string[];
  permissions: Permission[];
  /** Fixed filters (query parameters) ANDed to every read; the viewer cannot remove them. */
  filters: Record<string, string | string[]>;
  expires_at: string | null;
  via: 'jwt' | 'viewer';
}

/** `POST /v1/viewer-sessions`. */
export interface ViewerSession {
  session_token: string;
  expires_at: string;
  subject: string;
  company_id: string;
  roles: string[];
  permissions: Permission[];
  filters: Record<string, string | string[]>;
}

export interface AdminCompanies {
  companies: Array<{ company_id: string; retention_class?: string; events_last_30d?: number }>;
}

export type ExportFormat = 'csv' | 'json' | 'ndjson' | 'xlsx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json', 'ndjson', 'xlsx'];
export type ExportStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';

export interface ExportView {
  id: string;
  name: string;
  format: ExportFormat;
  filters: Record<string, string | string[]>;
  status: ExportStatus;
  /** Percent, 0–100. */
  progress: number;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  created_at: string;
  completed_at: string | null;
  expires_at: string | null;
  error: string | null;
  company_id: string;
  include_integrity?: boolean;
  integrity_files?: boolean;
}

export interface ExportList {
  data: ExportView[];
}

/** `GET /v1/integrity/verify` (apps/query/src/integrity/integrity-verify.service.ts). */
export type VerifyAnswer =
  | { status: 'not_configured'; detail: string }
  | {
      status: 'ok' | 'failed';
      company_id: string;
      from: string;
      to: string;
      digests: number;
      events: number;
      modified: Array<{ id: string; window_start: string | null; reason: 'content' | 'hash' }>;
      missing: Array<{ id: string; window_start: string }>;
      unexpected: Array<{ id: string; received_at: string }>;
      expired: Array<{ window_start: string; window_end: string; event_count: number }>;
      chain: Array<{ window_start: string; problem: string; detail: string }>;
      unsealed: number;
      pending: number;
      truncated: boolean;
    };

/** application/problem+json */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: Array<{ path: string; message: string }>;
}
