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

/**
 * The cheap half of `findHostileInput` for the ingest hot path: true when `input` has no
 * forbidden key and no nesting deeper than the limit. Strings are not looked at: a lone
 * surrogate survives `JSON.stringify` only as a `\ud…` escape, so the caller checks the
 * serialised text once instead (`mayHoldLoneSurrogate`). When either says "maybe",
 * `findHostileInput` decides and words the problems.
 */
export function hasSafeStructure(input: unknown): boolean {
  const visit = (value: unknown, level: number): boolean => {
    if (typeof value !== 'object' || value === null) return true;
    if (level > EVENT_LIMITS.depth) return false;
    if (Array.isArray(value)) {
      for (const item of value) if (!visit(item, level + 1)) return false;
      return true;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return false;
      if (!visit((value as Record<string, unknown>)[key], level + 1)) return false;
    }
    return true;
  };
  return visit(input, 1);
}

/** False when the JSON text cannot hold a lone surrogate (JSON.stringify escapes them as `\udxxx`). */
export function mayHoldLoneSurrogate(json: string): boolean {
  // One scan in the common case: most texts hold no `\u` escape at all.
  return json.includes('\\u') && (json.includes('\\ud') || json.includes('\\uD'));
}
