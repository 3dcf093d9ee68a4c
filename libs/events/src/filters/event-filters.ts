/**
 * The filter model shared by the query API and exports (SPEC §5). Parsed from query
 * parameters by `parseEventFilters`, translated to OpenSearch by `@auditlog/opensearch`.
 * Values of one field are OR-ed, fields are AND-ed.
 */
export interface EventFilters {
  /** Inclusive lower bound, ISO 8601 UTC. */
  from: string;
  /** Exclusive upper bound, ISO 8601 UTC. */
  to: string;
  /**
   * The clock `from`/`to` bound and the order follows: `timestamp` (default) or `received_at`,
   * the clock digests seal by (integrity exports).
   */
  timeField?: 'timestamp' | 'received_at';
  /** Exact actions, or prefixes when a value ends with `*`. */
  actions?: string[];
  categories?: string[];
  operations?: string[];
  actorIds?: string[];
  actorEmails?: string[];
  actorTypes?: string[];
  targetTypes?: string[];
  targetIds?: string[];
  /** `type:id` of an object the target is (or sits under). */
  ancestors?: string[];
  outcomes?: string[];
  sourceTools?: string[];
  /** IP addresses or CIDR blocks. */
  sourceIps?: string[];
  /** `context.<key>` filters: key -> accepted values. */
  context?: Record<string, string[]>;
  /** The parsed `q` parameter. */
  text?: TextQuery;
  sort: 'asc' | 'desc';
  /**
   * Further filter sets, each ANDed as a whole clause of its own (the fixed filters of a
   * viewer session). The request's own values can then only narrow them: repeating a
   * field in the request ORs values inside the request's clause, never inside these.
   */
  restrictions?: FilterSet[];
}

/** The list filters of one set, without window, order or text: what a viewer token fixes. */
export type FilterSet = Pick<
  EventFilters,
  | 'actions'
  | 'categories'
  | 'operations'
  | 'actorIds'
  | 'actorEmails'
  | 'actorTypes'
  | 'targetTypes'
  | 'targetIds'
  | 'ancestors'
  | 'outcomes'
  | 'sourceTools'
  | 'sourceIps'
  | 'context'
>;

/** A free-text word or quoted phrase of `q`. */
export interface TextTerm {
  value: string;
  phrase: boolean;
  negated: boolean;
}

export const QUALIFIERS = [
  'action',
  'category',
  'operation',
  'actor',
  'target',
  'outcome',
  'tool',
] as const;
export type QualifierName = (typeof QUALIFIERS)[number];

/** A `name:value` qualifier of `q`. */
export interface Qualifier {
  name: QualifierName;
  value: string;
  negated: boolean;
}

export interface TextQuery {
  terms: TextTerm[];
  qualifiers: Qualifier[];
}

export interface FilterLimits {
  /** Widest allowed window between from and to. */
  maxWindowDays: number;
  /** How far back from may reach. */
  maxLookbackDays: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxWindowDays: 93, maxLookbackDays: 366 };
