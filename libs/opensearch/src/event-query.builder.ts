import type { EventFilters, FilterSet, Qualifier, TextQuery, TextTerm } from '@auditlog/events';

type QueryClause = Record<string, unknown>;

/** Analysed fields searched by free-text words and phrases of `q`. */
export const TEXT_FIELDS = [
  'description',
  'action.text',
  'actor.name.text',
  'target.name.text',
  'target.ancestors.name.text',
  'reason',
] as const;

/** Keyword fields a free-text word matches exactly (ids, emails, actions). */
export const EXACT_FIELDS = [
  'id',
  'action',
  'actor.id',
  'actor.email',
  'target.id',
  'target.ancestors.id',
  'source.request_id',
  'source.session_id',
] as const;

function anyOf(clauses: QueryClause[]): QueryClause {
  const [only] = clauses;
  return clauses.length === 1 && only !== undefined
    ? only
    : { bool: { should: clauses, minimum_should_match: 1 } };
}

function terms(field: string, values: readonly string[]): QueryClause {
  return values.length === 1 ? { term: { [field]: values[0] } } : { terms: { [field]: values } };
}

function actionClause(action: string): QueryClause {
  if (action === '*') return { exists: { field: 'action' } };
  return action.endsWith('*') ? { prefix: { action: action.slice(0, -1) } } : { term: { action } };
}

/**
 * One word or phrase of `q`. Only match/multi_match and term queries are built: user text
 * is never parsed as Lucene syntax, so no input can make OpenSearch reject the query.
 */
function textTermClause(term: TextTerm): QueryClause {
  return anyOf([
    {
      multi_match: {
        query: term.value,
        fields: [...TEXT_FIELDS],
        type: term.phrase ? 'phrase' : 'best_fields',
        operator: 'and',
        lenient: true,
      },
    },
    ...EXACT_FIELDS.map((field) => ({ term: { [field]: term.value } })),
  ]);
}

function qualifierClause(qualifier: Qualifier): QueryClause {
  const value = qualifier.value;
  switch (qualifier.name) {
    case 'action':
      return actionClause(value);
    case 'category':
      return { term: { category: value } };
    case 'operation':
      return { term: { operation: value } };
    case 'outcome':
      return { term: { outcome: value } };
    case 'tool':
      return { term: { 'source.tool': value } };
    case 'actor':
      return anyOf([{ term: { 'actor.id': value } }, { term: { 'actor.email': value } }]);
    case 'target':
      return anyOf([{ term: { 'target.id': value } }, { term: { 'target.name': value } }]);
  }
}

/** Positive qualifiers of one name are OR-ed (like repeated parameters), names AND-ed. */
function textQueryClauses(text: TextQuery): { must: QueryClause[]; mustNot: QueryClause[] } {
  const must: QueryClause[] = [];
  const mustNot: QueryClause[] = [];
  const positive = new Map<string, QueryClause[]>();
  for (const qualifier of text.qualifiers) {
    const clause = qualifierClause(qualifier);
    if (qualifier.negated) mustNot.push(clause);
    else positive.set(qualifier.name, [...(positive.get(qualifier.name) ?? []), clause]);
  }
  for (const clauses of positive.values()) must.push(anyOf(clauses));
  for (const term of text.terms) (term.negated ? mustNot : must).push(textTermClause(term));
  return { must, mustNot };
}

/** Filter-model list fields and the stored field each one filters. */
const TERM_FIELDS = [
  ['categories', 'category'],
  ['operations', 'operation'],
  ['actorIds', 'actor.id'],
  ['actorEmails', 'actor.email'],
  ['actorTypes', 'actor.type'],
  ['targetTypes', 'target.type'],
  ['targetIds', 'target.id'],
  ['ancestors', 'scope'],
  ['outcomes', 'outcome'],
  ['sourceTools', 'source.tool'],
] as const satisfies ReadonlyArray<readonly [keyof FilterSet, string]>;

/** The clauses of one filter set: values of one field OR-ed, fields AND-ed. */
function setClauses(set: FilterSet): QueryClause[] {
  const filter: QueryClause[] = [];
  if (set.actions) filter.push(anyOf(set.actions.map(actionClause)));
  for (const [key, field] of TERM_FIELDS) {
    const values = set[key];
    if (values) filter.push(terms(field, values));
  }
  if (set.sourceIps) {
    filter.push(anyOf(set.sourceIps.map((ip) => ({ term: { 'source.ip': ip } }))));
  }
  for (const [key, values] of Object.entries(set.context ?? {})) {
    filter.push(terms(`context.${key}`, values));
  }
  return filter;
}

/**
 * Fixed filter sets (a viewer session's), each one bool clause of its own so that nothing
 * outside it can widen it. Also for reads that build their own query (one event by id).
 */
export function restrictionClauses(restrictions: readonly FilterSet[] = []): QueryClause[] {
  return restrictions
    .map(setClauses)
    .filter((clauses) => clauses.length > 0)
    .map((clauses) => ({ bool: { filter: clauses } }));
}

/**
 * Translates the filter model into an OpenSearch bool query. The company term is always
 * the first filter and is not derived from user input: tenant isolation lives here. Fixed
 * filter sets (`restrictions`) follow the request's own filters, each ANDed whole.
 */
export function buildEventQuery(companyId: string, filters: EventFilters): QueryClause {
  return filtersQuery(
    [
      { term: { company_id: companyId } },
      { range: { [filters.timeField ?? 'timestamp']: { gte: filters.from, lt: filters.to } } },
    ],
    filters,
  );
}

/** The request's filters (and fixed filter sets) after the caller's own leading clauses. */
export function filtersQuery(
  leading: QueryClause[],
  filters: Omit<EventFilters, 'from' | 'to' | 'timeField' | 'sort'>,
): QueryClause {
  const filter: QueryClause[] = [
    ...leading,
    ...setClauses(filters),
    ...restrictionClauses(filters.restrictions),
  ];
  const bool: QueryClause = { filter };
  if (filters.text) {
    const { must, mustNot } = textQueryClauses(filters.text);
    if (must.length > 0) bool.must = must;
    if (mustNot.length > 0) bool.must_not = mustNot;
  }
  return { bool };
}

/** Stable total order: the time field, then id as tie-breaker (ids are unique per company). */
export function eventSort(
  direction: 'asc' | 'desc',
  timeField: EventFilters['timeField'] = 'timestamp',
): QueryClause[] {
  return [{ [timeField]: direction }, { id: direction }];
}
