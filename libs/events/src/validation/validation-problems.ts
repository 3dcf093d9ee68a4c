import type { ValidationError } from 'class-validator';
import type { FieldProblem } from '../field-problem';
import { childPath } from './json-path';

const TYPE_RULES = ['isObject', 'isString', 'isArray'];

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
      own.push({
        path,
        message:
          parent === ''
            ? `unknown field "${error.property}"; allowed fields: ${topLevelFields.join(', ')}`
            : `unknown field "${error.property}" in ${parent}`,
      });
    } else if (constraints.isDefined) {
      own.push({ path, message: `${path} is required` });
    } else if (Object.keys(constraints).length > 0) {
      // A wrong type makes the other rules noise: report only the type.
      const typeRule = TYPE_RULES.find((name) => constraints[name] !== undefined);
      const messages = (
        typeRule ? [constraints[typeRule]] : Object.values(constraints).reverse()
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
