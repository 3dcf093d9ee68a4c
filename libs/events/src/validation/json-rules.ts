import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { parseIsoDateTime } from './iso-date-time';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rule(
  name: string,
  validate: (value: unknown) => boolean,
  message: (args: ValidationArguments) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message, ...options },
      validator: { validate },
    });
  };
}

/** ISO 8601 date-time with seconds and an explicit offset (`Z` or `±hh:mm`). */
export function IsIsoDateTime(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isIsoDateTime',
    (value) => typeof value === 'string' && parseIsoDateTime(value) !== undefined,
    (args) =>
      `${args.property} must be an ISO 8601 date-time with seconds and a time zone, like 2026-01-02T03:04:05.678Z`,
    options,
  );
}

/** A flat object of string values, with at most `maxKeys` keys. */
export function IsFlatStringMap(maxKeys: number, maxValueLength: number): PropertyDecorator {
  return rule(
    'isFlatStringMap',
    (value) =>
      isRecord(value) &&
      Object.keys(value).length <= maxKeys &&
      Object.entries(value).every(
        ([key, member]) =>
          key.length > 0 &&
          key.length <= 128 &&
          typeof member === 'string' &&
          member.length <= maxValueLength,
      ),
    (args) =>
      `${args.property} must be a flat object of at most ${maxKeys} string values (keys 1-128 characters, values at most ${maxValueLength})`,
  );
}

/** At most `maxBytes` bytes of UTF-8 when serialised as JSON. */
export function MaxSerializedBytes(maxBytes: number): PropertyDecorator {
  return rule(
    'maxSerializedBytes',
    (value) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= maxBytes,
    (args) => `${args.property} must be at most ${maxBytes} bytes when serialised as JSON`,
  );
}
