import {
  type ArgumentMetadata,
  Inject,
  Injectable,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type EventFilters, parseEventFilters, type QueryParams } from '@auditlog/events';
import { dtoFields, invalidInput, problemsOf, ValidatedByOwnPipe } from './validation.pipe';

/**
 * The query of a filtered read (`GET /v1/events`, histogram, facets, export stream): the
 * route's own parameters as DTO properties (limit, cursor, interval…), plus `filters`
 * parsed by the shared `parseEventFilters` and the request's `params` as sent (for cursors
 * and the self-audit). Declare the route's parameters in a subclass and take it with
 * `@Query(EventFiltersPipe)`.
 */
@ValidatedByOwnPipe()
export abstract class EventFilterQuery {
  // `declare`: no own property before the pipe sets it (whitelist would refuse it).
  declare filters: EventFilters;
  declare params: QueryParams;
}

/** `context[key]=v` (OpenAPI deepObject, as documented) is `context.key=v`. */
function normalise(raw: unknown): QueryParams {
  const params: QueryParams = {};
  for (const [name, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const deep = /^context\[(.+)\]$/.exec(name);
    const key = deep ? `context.${deep[1]}` : name;
    if (typeof value === 'string' || Array.isArray(value)) {
      params[key] = value as string | string[];
    }
  }
  return params;
}

/**
 * Validates a filtered read's query in one pass: the DTO's parameters with class-validator
 * (ADR 0092), everything else as event filters; one 400 lists every problem.
 */
@Injectable()
export class EventFiltersPipe implements PipeTransform<unknown, EventFilterQuery> {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  transform(value: unknown, metadata: ArgumentMetadata): EventFilterQuery {
    const metatype = metadata.metatype as Type<EventFilterQuery> | undefined;
    if (!metatype || !(metatype.prototype instanceof EventFilterQuery)) {
      throw new Error('EventFiltersPipe needs a parameter typed with an EventFilterQuery class');
    }
    const params = normalise(value);
    const fields = dtoFields(metatype);
    const own = Object.fromEntries(
      Object.entries(params).filter(([name]) => fields.includes(name)),
    );
    const rest = Object.fromEntries(
      Object.entries(params).filter(([name]) => !fields.includes(name)),
    );
    const query = plainToInstance(metatype, own);
    const problems = problemsOf(
      validateSync(query, {
        whitelist: true,
        forbidNonWhitelisted: true,
        validationError: { target: false, value: false },
      }),
      'query',
      fields,
    );
    const parsed = parseEventFilters(rest, new Date(), {
      maxWindowDays: this.config.query.maxWindowDays,
      maxLookbackDays: this.config.query.maxLookbackDays,
    });
    if (!parsed.ok) problems.push(...parsed.errors);
    if (problems.length > 0 || !parsed.ok) throw invalidInput('query', problems);
    query.filters = parsed.filters;
    query.params = params;
    return query;
  }
}
