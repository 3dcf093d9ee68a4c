import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ACTOR_TYPES, OPERATIONS, OUTCOMES } from '@auditlog/events';
import { ApiProblem, BEARER_JWT } from '@auditlog/platform';

export { ApiEventFilters } from '@auditlog/platform';

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
      properties: {
        key_id: { type: 'string' },
        client_ip: { type: 'string' },
        indexed_at: {
          type: 'string',
          format: 'date-time',
          description: 'when the writer sent the event to OpenSearch: the order of the tail',
        },
      },
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

/** Bearer JWT (or viewer session) and the problems of every authenticated read. */
export const ApiAuthProblems = () =>
  applyDecorators(
    ApiBearerAuth(BEARER_JWT),
    ApiProblem(400, 'Invalid parameters: every problem named by path'),
    ApiProblem(401, 'No, an expired or an invalid bearer token'),
    ApiProblem(403, 'No audit-log role or permission, or another company'),
    ApiProblem(503, 'OpenSearch or Redis unavailable; retry after Retry-After'),
  );

export const ApiNotFoundProblem = (description: string) => ApiProblem(404, description);
