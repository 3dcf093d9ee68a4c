import {
  type ArgumentMetadata,
  Injectable,
  type Type,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { validationProblems } from '@auditlog/events';
import { type FieldProblem, ProblemException } from '@auditlog/problem';

/** Marks a DTO that a parameter-scoped pipe validates itself (EventFiltersPipe). */
const VALIDATED_BY_OWN_PIPE = Symbol('auditlog:validated-by-own-pipe');

export function ValidatedByOwnPipe(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(VALIDATED_BY_OWN_PIPE, true, target);
  };
}

/** Carries class-validator's errors from the exception factory to `transform`. */
class InvalidInput extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('invalid input');
  }
}

const declaredFields = new WeakMap<Type<unknown>, readonly string[]>();

/**
 * The properties a DTO declares (has a rule for), in declaration order. Read once per class:
 * decorators have all run by the time a request arrives.
 */
export function dtoFields(metatype: Type<unknown>): readonly string[] {
  const known = declaredFields.get(metatype);
  if (known) return known;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    metatype,
    '',
    true,
    false,
    undefined,
  );
  const fields = [...new Set(metadata.map((entry) => entry.propertyName))];
  declaredFields.set(metatype, fields);
  return fields;
}

/** `message.` alone when there is one problem, else the summary of the part of the request. */
export function invalidInput(where: 'query' | 'body' | 'param', errors: FieldProblem[]) {
  const summary = {
    query: 'The query parameters are invalid.',
    body: 'The request body is invalid.',
    param: 'The path is invalid.',
  }[where];
  const first = errors[0];
  const detail = errors.length === 1 && first?.message ? `${first.message}.` : summary;
  return ProblemException.badRequest(detail, errors);
}

/** class-validator errors as problem+json field problems (the shared builder of libs/events). */
export function problemsOf(
  errors: ValidationError[],
  where: 'query' | 'body' | 'param',
  fields: readonly string[],
): FieldProblem[] {
  return validationProblems(errors, fields).map((problem) =>
    where === 'query' && problem.message.startsWith(`unknown field "`)
      ? { path: problem.path, message: `unknown query parameter: ${problem.path}` }
      : problem,
  );
}

/**
 * The one validation path for fixed-shape input (ADR 0092): every `@Body()`, `@Query()` and
 * `@Param()` typed with a DTO class is validated with class-validator, unknown members are
 * refused, values are transformed (`limit` becomes a number), and every problem is sent as
 * today's problem+json: `errors[]` of `{path, message}` worded by `validationProblems`.
 * Parameters typed with interfaces or `unknown` pass through untouched.
 */
@Injectable()
export class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new InvalidInput(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!metadata.metatype || !this.toValidate(metadata)) return value;
    const where = metadata.type === 'custom' ? 'body' : metadata.type;
    if (where === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw invalidInput('body', [{ path: '', message: 'the body must be a JSON object' }]);
    }
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      const fields = dtoFields(metadata.metatype);
      throw invalidInput(where, problemsOf(error.errors, where, fields));
    }
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    if (metadata.type === 'custom') return false;
    if (metadata.metatype && Reflect.getMetadata(VALIDATED_BY_OWN_PIPE, metadata.metatype)) {
      return false;
    }
    return super.toValidate(metadata);
  }
}
