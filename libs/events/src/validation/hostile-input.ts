import type { FieldProblem } from '../field-problem';
import { EVENT_LIMITS, FORBIDDEN_KEYS } from './event-limits';
import { childPath } from './json-path';

// A lone surrogate cannot be encoded as UTF-8; OpenSearch and most consumers would
// silently replace it, so the stored text would no longer be what was hashed.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badString(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * Structural checks that must run before anything else touches the input: keys that
 * could pollute prototypes, strings that are not valid Unicode, and nesting deeper than
 * EVENT_LIMITS.depth. Stops descending at the depth limit, so hostile input cannot make
 * it recurse without bound. At most `maxProblems` are reported.
 */
export function findHostileInput(input: unknown, maxProblems = 10): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const visit = (value: unknown, path: string, level: number): void => {
    if (problems.length >= maxProblems) return;
    if (typeof value === 'string') {
      if (badString(value)) {
        problems.push({
          path,
          message: `${path || 'value'} contains invalid Unicode (a lone surrogate)`,
        });
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (level > EVENT_LIMITS.depth) {
      problems.push({
        path,
        message: `${path} nests too deeply: at most ${EVENT_LIMITS.depth} levels are allowed`,
      });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, childPath(path, index), level + 1));
      return;
    }
    for (const key of Object.keys(value)) {
      const keyPath = childPath(path, key);
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({
          path: keyPath,
          message: `the key "${key}" is not allowed anywhere in an event`,
        });
      } else if (badString(key)) {
        problems.push({
          path: keyPath,
          message: 'a key contains invalid Unicode (a lone surrogate)',
        });
      } else {
        visit((value as Record<string, unknown>)[key], keyPath, level + 1);
      }
    }
  };
  visit(input, '', 1);
  return problems;
}
