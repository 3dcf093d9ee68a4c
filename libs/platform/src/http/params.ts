import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * Decorators of DTO properties for query parameters and small bodies: one class-validator
 * rule each (so one message per field, worded as before ADR 0092) and the OpenAPI
 * description of the same property (ADR 0030), so the document and the check cannot part.
 */

const DIGITS = /^\d{1,7}$/;

/** An optional integer query parameter from `min` to `max`: decimal digits only. */
export function IntegerParam(options: {
  min: number;
  max: number;
  default: number;
  description: string;
}): PropertyDecorator {
  const { min, max } = options;
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: min,
      maximum: max,
      default: options.default,
      description: options.description,
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && DIGITS.test(value) ? Number(value) : value,
    ),
    ValidateBy({
      name: 'integerInRange',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be an integer from ${min} to ${max}`,
      },
    }),
  );
}

/** An optional value of a fixed set (`format`, `part`, `sort`…). */
export function OneOfParam(
  values: readonly string[],
  options: { default?: string; description?: string; required?: boolean } = {},
): PropertyDecorator {
  const describe = options.required ? ApiProperty : ApiPropertyOptional;
  return applyDecorators(
    describe({
      type: 'string',
      enum: [...values],
      ...(options.default === undefined ? {} : { default: options.default }),
      ...(options.description === undefined ? {} : { description: options.description }),
    }),
    ...(options.required ? [] : [IsOptional()]),
    IsIn(values, {
      message: (args: ValidationArguments) =>
        `${args.property} must be one of ${values.join(', ')}`,
    }),
  );
}

/** An optional string given at most once; empty means absent. */
export function SingleParam(options: {
  description: string;
  pattern?: RegExp;
  patternMessage?: string;
  format?: string;
}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      description: options.description,
      ...(options.format ? { format: options.format } : {}),
    }),
    Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value)),
    IsOptional(),
    ValidateBy({
      name: 'singleParam',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (!options.pattern || options.pattern.test(value)),
        defaultMessage: (args?: ValidationArguments) => {
          const name = args?.property ?? 'value';
          return typeof args?.value === 'string'
            ? (options.patternMessage ?? `${name} is invalid`)
            : `${name} may be given once`;
        },
      },
    }),
  );
}

/** `company_id` of a read: installation admins choose the company, owners may name their own. */
export const CompanyIdParam = (): PropertyDecorator =>
  SingleParam({
    description:
      'Installation admins only: the company to read. Owners may omit it or send their own.',
  });

/** Query parameters of every company-scoped read. */
export class CompanyQuery {
  @CompanyIdParam()
  company_id?: string;
}
