import type { ValidationError } from 'class-validator';
import type { FieldProblem } from '../field-problem';
import { childPath } from './json-path';

const TYPE_RULES = ['isObject', 'isString', 'isArray'];

/**
 * The one wording of an unknown member. A body field names the allowed fields at the top
 * level and its parent below it; a query parameter is named as such (`allowed` unused there,
 * the parameters are documented in the OpenAPI reference).
 */
export function unknownFieldProblem(
  name: string,
  options: { parent?: string; allowed?: readonly string[]; in?: 'body' | 'query' } = {},
): FieldProblem {
  const parent = options.parent ?? '';
  const path = childPath(parent, name);
  if (options.in === 'query') return { path, message: `unknown query parameter: ${name}` };
  if (parent !== '') return { path, message: `unknown field "${name}" in ${parent}` };
  const allowed = options.allowed ?? [];
  return {
    path,
    message:
      allowed.length > 0
        ? `unknown field "${name}"; allowed fields: ${allowed.join(', ')}`
        : `unknown field "${name}"`,
  };
}

/** One problem per member of `input` that is not in `allowed` (see `unknownFieldProblem`). */
export function unknownFieldProblems(
  input: object,
  allowed: readonly string[],
  options: { parent?: string; in?: 'body' | 'query' } = {},
): FieldProblem[] {
  return Object.keys(input)
    .filter((name) => !allowed.includes(name))
    .map((name) => unknownFieldProblem(name, { ...options, allowed }));
}

/**
 * class-validator's error tree as one problem per field path: the one wording of unknown
 * fields (validated with `whitelist` + `forbidNonWhitelisted`), missing fields and broken
 * rules, shared by every body validated with a DTO. `topLevelFields` is listed in the
 * message of an unknown top-level field.
 */
export function validationProblems(
  errors: ValidationError[],
  topLevelFields: readonly string[],
  parent = '',
): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = childPath(parent, error.property);
    const own: FieldProblem[] = [];
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) {
      own.push(unknownFieldProblem(error.property, { parent, allowed: topLevelFields }));
    } else if (constraints.isDefined) {
      own.push({ path, message: `${path} is required` });
    } else if (Object.keys(constraints).length > 0) {
      // A wrong type makes the other rules noise: report only the type.
      const typeMessage = TYPE_RULES.map((name) => constraints[name]).find(
        (message) => message !== undefined,
      );
      const messages = (
        typeMessage !== undefined ? [typeMessage] : Object.values(constraints).reverse()
      ).map((message) =>
        message.startsWith(`${error.property} `)
          ? `${path}${message.slice(error.property.length)}`
          : message,
      );
      own.push({ path, message: messages.join('; ') });
    }
    return [...own, ...validationProblems(error.children ?? [], topLevelFields, path)];
  });
}
