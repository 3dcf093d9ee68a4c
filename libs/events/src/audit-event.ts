export const SCHEMA_VERSION = 1;

export const ACTOR_TYPES = ['user', 'api_token', 'service', 'agent', 'system'] as const;
export const OPERATIONS = [
  'create',
  'read',
  'update',
  'delete',
  'execute',
  'login',
  'logout',
  'other',
] as const;
export const OUTCOMES = ['success', 'failure'] as const;

export type ActorType = (typeof ACTOR_TYPES)[number];
export type Operation = (typeof OPERATIONS)[number];
export type Outcome = (typeof OUTCOMES)[number];

export interface ObjectRef {
  type?: string;
  id?: string;
  name?: string;
}

export interface Actor {
  id: string;
  type: ActorType;
  name?: string;
  email?: string;
  impersonator?: ObjectRef;
}

export interface Target extends ObjectRef {
  ancestors?: ObjectRef[];
}

export interface Source {
  tool?: string;
  ip?: string;
  user_agent?: string;
  request_id?: string;
  session_id?: string;
}

export interface Change {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** An event as returned to company owners. */
export interface AuditEvent {
  id: string;
  timestamp: string;
  received_at: string;
  company_id: string;
  action: string;
  category: string;
  operation?: Operation;
  actor: Actor;
  target?: Target;
  outcome: Outcome;
  reason?: string;
  source?: Source;
  context?: Record<string, string>;
  description?: string;
  changes?: Change[];
  details?: Record<string, unknown>;
  schema_version: number;
  hash: string;
}

/** Admin-only server fields, never returned to company owners. */
export interface IngestMetadata {
  key_id: string;
  client_ip?: string;
  /**
   * When the writer sent the event to OpenSearch (set per write attempt): the order of the
   * gap-free tail. Not part of the hash.
   */
  indexed_at?: string;
}

/** An event as stored in OpenSearch. */
export interface StoredEvent extends AuditEvent {
  /** `type:id` of the target and each ancestor; an index helper, never returned. */
  scope?: string[];
  ingest: IngestMetadata;
}
