import { isIP } from 'class-validator';
import { ACTOR_TYPES, OPERATIONS, OUTCOMES } from '../audit-event';
import {
  ACTION_PATTERN,
  CATEGORY_PATTERN,
  COMPANY_ID_PATTERN,
  EVENT_ID_PATTERN,
  MAX_ACTION_LENGTH,
} from '../event-id';
import { EVENT_LIMITS } from './event-limits';
import { parseIsoDateTime } from './iso-date-time';

/**
 * The producer's event (schema version 1, SPEC §3) as one table of rules. Two things are
 * derived from it once per process: the JSON Schema the ingest app publishes
 * (`eventJsonSchema`), and the compiled check on the ingest hot path
 * (`isValidEventShape`). The class-validator DTO in `event.dto.ts` states the same rules
 * with decorators and words the field-by-field errors; a differential spec keeps the two
 * in agreement (docs/adr/0012-ingest-hot-path.md).
 */
export type FieldRule = (
  | {
      kind: 'string';
      maxLength?: number;
      pattern?: RegExp;
      /** The empty string is refused (class-validator `IsNotEmpty`). */
      notEmpty?: boolean;
      format?: 'date-time' | 'ip' | 'email';
    }
  | { kind: 'enum'; values: readonly string[]; default?: string }
  | { kind: 'object'; fields: FieldRules }
  | { kind: 'array'; maxItems: number; items: FieldRules }
  | { kind: 'string-map'; maxKeys: number; maxKeyLength: number; maxValueLength: number }
  | { kind: 'json-object'; maxBytes: number }
  | { kind: 'any' }
) & { required?: boolean; description?: string };

export type FieldRules = Readonly<Record<string, FieldRule>>;

const SHORT = EVENT_LIMITS.shortText;
const shortText = (description?: string): FieldRule => ({
  kind: 'string',
  maxLength: SHORT,
  ...(description ? { description } : {}),
});
const OBJECT_REF: FieldRules = {
  type: shortText(),
  id: shortText(),
  name: shortText(),
};

export const EVENT_RULES: FieldRules = {
  id: {
    kind: 'string',
    pattern: EVENT_ID_PATTERN,
    description:
      'The idempotency key: the same company_id + id is stored once. Generated (UUIDv7) when absent.',
  },
  timestamp: {
    kind: 'string',
    format: 'date-time',
    description:
      'When the action happened, with seconds and a time zone; default: time received. Required when id is given.',
  },
  company_id: {
    kind: 'string',
    pattern: COMPANY_ID_PATTERN,
    description: 'The tenant; required unless the ingest key is bound to exactly one company.',
  },
  action: {
    kind: 'string',
    required: true,
    maxLength: MAX_ACTION_LENGTH,
    pattern: ACTION_PATTERN,
    description: 'Dotted lowercase, e.g. flow.created, auth.login.',
  },
  category: {
    kind: 'string',
    pattern: CATEGORY_PATTERN,
    description: 'Default: the segment before the first dot of action.',
  },
  operation: { kind: 'enum', values: OPERATIONS },
  actor: {
    kind: 'object',
    required: true,
    fields: {
      id: { kind: 'string', required: true, notEmpty: true, maxLength: SHORT },
      type: { kind: 'enum', values: ACTOR_TYPES, default: 'user' },
      name: shortText(),
      email: { kind: 'string', maxLength: 320, format: 'email' },
      impersonator: { kind: 'object', fields: OBJECT_REF },
    },
  },
  target: {
    kind: 'object',
    fields: {
      ...OBJECT_REF,
      ancestors: {
        kind: 'array',
        maxItems: EVENT_LIMITS.ancestors,
        items: OBJECT_REF,
        description: 'From the root down, e.g. project, then environment.',
      },
    },
  },
  outcome: { kind: 'enum', values: OUTCOMES, default: 'success' },
  reason: { kind: 'string', maxLength: EVENT_LIMITS.reason },
  source: {
    kind: 'object',
    fields: {
      tool: shortText('console, api, terraform, git, cli, sso, …'),
      ip: { kind: 'string', format: 'ip' },
      user_agent: shortText(),
      request_id: shortText(),
      session_id: shortText(),
    },
  },
  context: {
    kind: 'string-map',
    maxKeys: EVENT_LIMITS.contextKeys,
    maxKeyLength: 128,
    maxValueLength: SHORT,
    description: 'Flat map of correlation ids (task_id, agent_id, flow_id, …).',
  },
  description: { kind: 'string', maxLength: EVENT_LIMITS.description },
  changes: {
    kind: 'array',
    maxItems: EVENT_LIMITS.changes,
    items: {
      field: { kind: 'string', required: true, notEmpty: true, maxLength: SHORT },
      before: { kind: 'any' },
      after: { kind: 'any' },
    },
  },
  details: {
    kind: 'json-object',
    maxBytes: EVENT_LIMITS.detailsBytes,
    description: 'Free-form JSON, stored and returned, never mapped field by field.',
  },
};

/** The top-level field names, in the order the unknown-field message lists them. */
export const EVENT_FIELDS: readonly string[] = Object.keys(EVENT_RULES);

// ---------------------------------------------------------------------------------------
// The compiled check: one closure per rule, built once. It answers "valid" only when the
// class-validator rules would also accept the event; anything it is unsure of is "not
// valid here", and the caller lets the DTO path decide and word the errors.

type Check = (value: unknown, bytesBound: number) => boolean;

const VARIATION_SELECTORS = /[\uFE0E\uFE0F]/g;
const SURROGATE_PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** class-validator's `MaxLength` (validator.js `isLength`): code points, variation selectors not counted. */
function withinLength(text: string, max: number): boolean {
  if (text.length <= max) return true;
  const selectors = text.match(VARIATION_SELECTORS)?.length ?? 0;
  const pairs = text.match(SURROGATE_PAIRS)?.length ?? 0;
  return text.length - selectors - pairs <= max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileString(rule: Extract<FieldRule, { kind: 'string' }>): Check {
  const { maxLength, pattern, notEmpty, format } = rule;
  const checks: Array<(text: string) => boolean> = [];
  if (notEmpty) checks.push((text) => text !== '');
  if (maxLength !== undefined) checks.push((text) => withinLength(text, maxLength));
  if (pattern) checks.push((text) => pattern.test(text));
  if (format === 'date-time') checks.push((text) => parseIsoDateTime(text) !== undefined);
  if (format === 'ip') checks.push((text) => isIP(text));
  if (format === 'email') checks.push((text) => EMAIL.test(text));
  return (value) => {
    if (typeof value !== 'string') return false;
    for (const check of checks) if (!check(value)) return false;
    return true;
  };
}

function compileObject(fields: FieldRules): (value: unknown, bytesBound: number) => boolean {
  const allowed = new Set(Object.keys(fields));
  const compiled = Object.entries(fields).map(([name, rule]) => ({
    name,
    required: rule.required === true,
    check: compileRule(rule),
  }));
  return (value, bytesBound) => {
    if (!isPlainObject(value)) return false;
    for (const key of Object.keys(value)) if (!allowed.has(key)) return false;
    for (const { name, required, check } of compiled) {
      const member = value[name];
      // class-validator's IsOptional skips null as well as undefined; IsDefined refuses both.
      if (member === undefined || member === null) {
        if (required) return false;
        continue;
      }
      if (!check(member, bytesBound)) return false;
    }
    return true;
  };
}

function compileRule(rule: FieldRule): Check {
  switch (rule.kind) {
    case 'string':
      return compileString(rule);
    case 'enum': {
      const values = new Set<unknown>(rule.values);
      return (value) => values.has(value);
    }
    case 'object':
      return compileObject(rule.fields);
    case 'array': {
      const item = compileObject(rule.items);
      const { maxItems } = rule;
      return (value, bytesBound) => {
        if (!Array.isArray(value) || value.length > maxItems) return false;
        for (const element of value) if (!item(element, bytesBound)) return false;
        return true;
      };
    }
    case 'string-map': {
      const { maxKeys, maxKeyLength, maxValueLength } = rule;
      return (value) => {
        if (!isPlainObject(value)) return false;
        const keys = Object.keys(value);
        if (keys.length > maxKeys) return false;
        for (const key of keys) {
          const member = value[key];
          if (key.length === 0 || key.length > maxKeyLength) return false;
          if (typeof member !== 'string' || member.length > maxValueLength) return false;
        }
        return true;
      };
    }
    case 'json-object': {
      const { maxBytes } = rule;
      // A member is part of the event's serialisation: when the whole event fits, so does it.
      return (value, bytesBound) =>
        isPlainObject(value) &&
        (bytesBound <= maxBytes ||
          Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= maxBytes);
    }
    case 'any':
      return () => true;
  }
}

const checkEvent = compileObject(EVENT_RULES);

/**
 * The event rules of SPEC §3 without words: true when the event is valid. `eventBytes`
 * is the event's serialised size when the caller knows it (it bounds every member's).
 * False may also mean "not decided here" for odd corners; the DTO path then decides.
 */
export function isValidEventShape(input: unknown, eventBytes = Number.POSITIVE_INFINITY): boolean {
  return checkEvent(input, eventBytes);
}

// ---------------------------------------------------------------------------------------
// The published JSON Schema (draft 2020-12), derived from the same table.

type JsonSchema = Record<string, unknown>;

function schemaOf(rule: FieldRule): JsonSchema {
  const described = rule.description ? { description: rule.description } : {};
  switch (rule.kind) {
    case 'string': {
      const schema: JsonSchema = { type: 'string', ...described };
      if (rule.notEmpty) schema.minLength = 1;
      if (rule.maxLength !== undefined) schema.maxLength = rule.maxLength;
      if (rule.pattern) schema.pattern = rule.pattern.source;
      if (rule.format === 'date-time') {
        schema.format = 'date-time';
        schema.pattern =
          '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';
      }
      if (rule.format === 'ip') schema.anyOf = [{ format: 'ipv4' }, { format: 'ipv6' }];
      if (rule.format === 'email') schema.pattern = EMAIL.source;
      return schema;
    }
    case 'enum':
      return {
        type: 'string',
        enum: [...rule.values],
        ...(rule.default ? { default: rule.default } : {}),
        ...described,
      };
    case 'object':
      return objectSchema(rule.fields, described);
    case 'array':
      return {
        type: 'array',
        maxItems: rule.maxItems,
        items: objectSchema(rule.items, {}),
        ...described,
      };
    case 'string-map':
      return {
        type: 'object',
        maxProperties: rule.maxKeys,
        propertyNames: { minLength: 1, maxLength: rule.maxKeyLength },
        additionalProperties: { type: 'string', maxLength: rule.maxValueLength },
        ...described,
      };
    case 'json-object':
      return {
        type: 'object',
        ...described,
        $comment: `at most ${rule.maxBytes} bytes of UTF-8 when serialised as JSON`,
      };
    case 'any':
      return { ...described };
  }
}

function objectSchema(fields: FieldRules, extra: JsonSchema): JsonSchema {
  const required = Object.entries(fields)
    .filter(([, rule]) => rule.required)
    .map(([name]) => name);
  return {
    type: 'object',
    ...extra,
    properties: Object.fromEntries(
      Object.entries(fields).map(([name, rule]) => [name, schemaOf(rule)]),
    ),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/**
 * The JSON Schema of a producer's event, for producers and SIEM teams
 * (`GET /v1/schema/event`). Null counts as absent for optional fields, as at ingest.
 */
export function eventJsonSchema(): JsonSchema {
  return objectSchema(EVENT_RULES, {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://auditlog.dev/schema/event/v1.json',
    title: 'Audit event (producer input), schema version 1',
    description: `One audit event as a producer sends it. At most ${EVENT_LIMITS.eventBytes} bytes serialised, nesting at most ${EVENT_LIMITS.depth} levels; the keys __proto__, constructor and prototype and strings with lone surrogates are refused anywhere. A timestamp may lie at most 5 minutes (configurable) in the future and not before the tenant's retention.`,
  });
}
