import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiQuery,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ACTOR_TYPES, OPERATIONS, OUTCOMES } from '@auditlog/events';
import { FACET_FIELDS } from './events-query.service';

/**
 * OpenAPI descriptions of the query API, declared explicitly: the build is plain tsc,
 * so the Swagger CLI plugin cannot annotate the code (docs/adr/0030-openapi-explicit-decorators.md).
 */
const ref = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
};

export const EVENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'id',
    'timestamp',
    'received_at',
    'company_id',
    'action',
    'category',
    'actor',
    'outcome',
    'schema_version',
    'hash',
  ],
  properties: {
    id: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    received_at: { type: 'string', format: 'date-time' },
    company_id: { type: 'string' },
    action: { type: 'string', example: 'flow.created' },
    category: { type: 'string' },
    operation: { type: 'string', enum: [...OPERATIONS] },
    actor: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        type: { type: 'string', enum: [...ACTOR_TYPES] },
        name: { type: 'string' },
        email: { type: 'string' },
        impersonator: ref,
      },
    },
    target: {
      type: 'object',
      properties: { ...ref.properties, ancestors: { type: 'array', items: ref } },
    },
    outcome: { type: 'string', enum: [...OUTCOMES] },
    reason: { type: 'string' },
    source: {
      type: 'object',
      properties: Object.fromEntries(
        ['tool', 'ip', 'user_agent', 'request_id', 'session_id'].map((name) => [
          name,
          { type: 'string' },
        ]),
      ),
    },
    context: { type: 'object', additionalProperties: { type: 'string' } },
    description: { type: 'string' },
    changes: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, before: {}, after: {} } },
    },
    details: { type: 'object', additionalProperties: true },
    schema_version: { type: 'integer' },
    hash: {
      type: 'string',
      description: 'SHA-256 hex of the canonical JSON of the event without hash',
    },
    ingest: {
      type: 'object',
      description: 'installation admins only',
      properties: { key_id: { type: 'string' }, client_ip: { type: 'string' } },
    },
  },
};

export const PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['data', 'next_cursor', 'total'],
  properties: {
    data: { type: 'array', items: EVENT_SCHEMA },
    next_cursor: {
      type: 'string',
      nullable: true,
      description: 'pass as cursor for the next page; null on the last page',
    },
    total: {
      type: 'object',
      properties: { value: { type: 'integer' }, relation: { type: 'string', enum: ['eq', 'gte'] } },
    },
  },
};

export const HISTOGRAM_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    interval: { type: 'string' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    total: { type: 'integer' },
    buckets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          timestamp: { type: 'string', format: 'date-time' },
          count: { type: 'integer' },
        },
      },
    },
  },
};

export const FACETS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    field: { type: 'string' },
    values: {
      type: 'array',
      items: {
        type: 'object',
        properties: { value: { type: 'string' }, count: { type: 'integer' } },
      },
    },
    other_count: { type: 'integer' },
  },
};

const PROBLEM = { description: 'application/problem+json' };

const listQuery = (name: string, description: string, values?: readonly string[]) =>
  ApiQuery({
    name,
    required: false,
    description: `${description} Repeat the parameter (or separate values with commas) for OR.`,
    schema: {
      type: 'array',
      items: values ? { type: 'string', enum: [...values] } : { type: 'string' },
    },
    style: 'form',
    explode: true,
  });

const optional = (name: string, description: string, schema: SchemaObject = { type: 'string' }) =>
  ApiQuery({ name, required: false, description, schema });

export const ApiCompanyParam = () =>
  optional(
    'company_id',
    'Installation admins only: the company to read. Owners may omit it or send their own.',
  );

/** Every filter of SPEC §5, shared by list, histogram and facets. */
export const ApiEventFilters = () =>
  applyDecorators(
    ApiCompanyParam(),
    optional('from', 'Inclusive start, ISO 8601 (default: to minus 24 h).', {
      type: 'string',
      format: 'date-time',
    }),
    optional('to', 'Exclusive end, ISO 8601 (default: now).', {
      type: 'string',
      format: 'date-time',
    }),
    listQuery('action', 'Exact action, or a prefix ending in * (flow.*).'),
    listQuery('category', 'Category.'),
    listQuery('operation', 'Operation.', OPERATIONS),
    listQuery('actor_id', 'Actor id.'),
    listQuery('actor_email', 'Actor email.'),
    listQuery('actor_type', 'Actor type.', ACTOR_TYPES),
    listQuery('target_type', 'Target type.'),
    listQuery('target_id', 'Target id.'),
    listQuery('ancestor', 'type:id of an object; matches events on it or anywhere under it.'),
    listQuery('outcome', 'Outcome.', OUTCOMES),
    listQuery('source_tool', 'Source tool.'),
    listQuery('source_ip', 'IP address or CIDR block.'),
    ApiQuery({
      name: 'context',
      required: false,
      description: 'context.<key>=<value>, e.g. context.task_id=t-1 (repeatable, OR per key).',
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      style: 'deepObject',
    }),
    optional(
      'q',
      'Free text and qualifiers (action:, actor:, target:, outcome:, category:, operation:, tool:; - negates; "phrases"). See docs/query.md.',
    ),
    optional('sort', 'Order by timestamp, then id.', {
      type: 'string',
      enum: ['desc', 'asc'],
      default: 'desc',
    }),
  );

export const ApiPaging = () =>
  applyDecorators(
    optional('limit', 'Page size.', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
    optional(
      'cursor',
      'next_cursor of the previous page; valid only with the same filters, sort and company.',
    ),
  );

export const ApiHistogramParams = () =>
  optional('interval', 'auto, <n>s|m|h|d (5m, 1h, 1d), 1w or 1M; the bucket count is bounded.', {
    type: 'string',
    default: 'auto',
  });

export const ApiFacetParams = () =>
  applyDecorators(
    ApiQuery({
      name: 'field',
      required: true,
      schema: { type: 'string', enum: Object.keys(FACET_FIELDS) },
    }),
    optional('size', 'Number of top values.', {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 10,
    }),
  );

export const ApiAuthProblems = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiBadRequestResponse(PROBLEM),
    ApiUnauthorizedResponse(PROBLEM),
    ApiForbiddenResponse({
      description: 'application/problem+json: no audit-log role, or another company',
    }),
  );
