import type { FieldProblem } from '../event-input';
import { OPERATIONS, OUTCOMES } from '../audit-event';
import { QUALIFIERS, type Qualifier, type QualifierName, type TextQuery } from './event-filters';

export const MAX_QUERY_LENGTH = 1024;
export const MAX_QUERY_TERMS = 32;

export type TextQueryParseResult =
  { ok: true; query: TextQuery } | { ok: false; errors: FieldProblem[] };

/** `action` values: an exact action or a prefix ending in `*`. */
export const ACTION_FILTER_PATTERN = /^[a-z0-9_.]{1,128}\*?$|^\*$/;

interface RawToken {
  text: string;
  quoted: boolean;
  /** A token that opens with a quote is a phrase, never a qualifier. */
  startsQuoted: boolean;
  negated: boolean;
}

const QUALIFIER_SHAPE = /^([A-Za-z][A-Za-z_]*):(.*)$/s;

/**
 * Splits `q` into tokens: whitespace separates them, a leading `-` negates, double quotes
 * group a phrase (an unterminated quote runs to the end of the input). `name:"a b"` keeps
 * the quoted value with its qualifier.
 */
function tokenize(input: string): RawToken[] {
  const tokens: RawToken[] = [];
  let index = 0;
  while (index < input.length) {
    while (index < input.length && /\s/u.test(input.charAt(index))) index++;
    if (index >= input.length) break;
    let negated = false;
    if (input[index] === '-' && index + 1 < input.length && !/\s/u.test(input.charAt(index + 1))) {
      negated = true;
      index++;
    }
    let text = '';
    let quoted = false;
    const startsQuoted = input[index] === '"';
    while (index < input.length && !/\s/u.test(input.charAt(index))) {
      if (input[index] === '"') {
        quoted = true;
        const end = input.indexOf('"', index + 1);
        const stop = end === -1 ? input.length : end;
        text += input.slice(index + 1, stop);
        index = stop + 1;
      } else {
        text += input[index];
        index++;
      }
    }
    if (text.trim() !== '') tokens.push({ text, quoted, startsQuoted, negated });
  }
  return tokens;
}

function qualifierError(name: QualifierName, value: string): string | undefined {
  switch (name) {
    case 'action':
      return ACTION_FILTER_PATTERN.test(value)
        ? undefined
        : 'action: must be an action like flow.created or a prefix like flow.*';
    case 'outcome':
      return (OUTCOMES as readonly string[]).includes(value)
        ? undefined
        : `outcome: must be one of ${OUTCOMES.join(', ')}`;
    case 'operation':
      return (OPERATIONS as readonly string[]).includes(value)
        ? undefined
        : `operation: must be one of ${OPERATIONS.join(', ')}`;
    case 'category':
    case 'actor':
    case 'target':
    case 'tool':
      return value.length > 256 ? `${name}: value is too long` : undefined;
  }
}

function isQualifierName(name: string): name is QualifierName {
  return (QUALIFIERS as readonly string[]).includes(name);
}

/**
 * Parses the `q` parameter: free-text words and "quoted phrases" plus GitHub-style
 * qualifiers (`action:flow.*`, `actor:alice@example.com`, `-outcome:success`). Pure and
 * total: any input yields either a query model or field problems, never an exception.
 * The grammar is documented in docs/query.md.
 */
export function parseTextQuery(input: string): TextQueryParseResult {
  if (input.length > MAX_QUERY_LENGTH) {
    return {
      ok: false,
      errors: [{ path: 'q', message: `q may be at most ${MAX_QUERY_LENGTH} characters` }],
    };
  }
  const tokens = tokenize(input.normalize('NFC'));
  if (tokens.length > MAX_QUERY_TERMS) {
    return {
      ok: false,
      errors: [{ path: 'q', message: `q may have at most ${MAX_QUERY_TERMS} terms` }],
    };
  }
  const query: TextQuery = { terms: [], qualifiers: [] };
  const unknown = new Set<string>();
  const errors: FieldProblem[] = [];
  for (const token of tokens) {
    const [, qualifier, value] = (!token.startsQuoted && QUALIFIER_SHAPE.exec(token.text)) || [];
    if (qualifier !== undefined && value !== undefined && value !== '') {
      const name = qualifier.toLowerCase();
      if (!isQualifierName(name)) {
        unknown.add(name);
        continue;
      }
      const problem = qualifierError(name, value);
      if (problem) errors.push({ path: 'q', message: problem });
      else query.qualifiers.push({ name, value, negated: token.negated } satisfies Qualifier);
      continue;
    }
    query.terms.push({ value: token.text, phrase: token.quoted, negated: token.negated });
  }
  if (unknown.size > 0) {
    errors.unshift({
      path: 'q',
      message: `unknown qualifier${unknown.size > 1 ? 's' : ''}: ${[...unknown].join(', ')} (known: ${QUALIFIERS.join(', ')})`,
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, query };
}
