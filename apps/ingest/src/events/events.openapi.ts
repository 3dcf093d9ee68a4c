import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { eventJsonSchema } from '@auditlog/events';
import { ApiProblem, BEARER_INGEST_KEY } from '@auditlog/platform';

/**
 * OpenAPI of the ingest API, declared explicitly (ADR 0030): ingest reads its own bodies
 * (gzip, NDJSON, limits after decompression), so no DTO stands for them. The event schema
 * is the one ingest validates with (`eventJsonSchema`, libs/events), not a copy.
 */

/** `eventJsonSchema()` as an OpenAPI 3.0 schema object (no `$schema`/`$id`). */
export function eventInputSchema(): SchemaObject {
  const { $schema: _schema, $id: _id, ...schema } = eventJsonSchema() as Record<string, unknown>;
  return schema;
}

const FIELD_PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' } },
};

export const INGEST_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'status'],
  properties: {
    id: { type: 'string', description: 'the event id, generated (UUIDv7) when absent' },
    status: { type: 'string', enum: ['created', 'duplicate'] },
  },
};

export const BATCH_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['results', 'created', 'duplicates', 'rejected'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status'],
        properties: {
          index: { type: 'integer', description: 'position in the batch, from 0' },
          id: { type: 'string' },
          status: { type: 'string', enum: ['created', 'duplicate', 'rejected'] },
          errors: { type: 'array', items: FIELD_PROBLEM_SCHEMA },
        },
      },
    },
    created: { type: 'integer' },
    duplicates: { type: 'integer' },
    rejected: { type: 'integer' },
  },
};

const GZIP = ApiHeader({
  name: 'Content-Encoding',
  required: false,
  description: 'gzip to send the body compressed; size limits apply after decompression.',
  schema: { type: 'string', enum: ['gzip', 'identity'] },
});

const json = (schema: SchemaObject) => ({ 'application/json': { schema } });

/** Key auth and the problems every ingest route may answer. */
export const ApiIngestProblems = () =>
  applyDecorators(
    ApiBearerAuth(BEARER_INGEST_KEY),
    ApiProblem(400, 'Invalid or malformed body: every problem named by path'),
    ApiProblem(401, 'No, or an unknown, ingest key'),
    ApiProblem(413, 'The body is larger than allowed, or a batch holds more events than allowed'),
    ApiProblem(415, 'An unsupported Content-Type or Content-Encoding'),
    ApiProblem(503, 'Storage unavailable; nothing was acknowledged, retry after Retry-After'),
  );

export const ApiIngestOne = () =>
  applyDecorators(
    ApiTags('events'),
    ApiOperation({
      summary: 'Store one audit event (idempotent by company_id + id)',
      requestBody: { required: true, content: json(eventInputSchema()) },
    }),
    GZIP,
    ApiResponse({ status: 201, description: 'Stored', content: json(INGEST_RESULT_SCHEMA) }),
    ApiResponse({
      status: 200,
      description: 'Already stored (same company and id): not stored again',
      content: json(INGEST_RESULT_SCHEMA),
    }),
    ApiProblem(403, 'The key may not write for this company'),
    ApiProblem(429, 'Overloaded; retry after Retry-After'),
  );

export const ApiIngestBatch = () => {
  const event = eventInputSchema();
  return applyDecorators(
    ApiTags('events'),
    ApiOperation({
      summary: 'Store a batch of events: valid items are stored even when others are rejected',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              oneOf: [
                { type: 'array', items: event },
                {
                  type: 'object',
                  required: ['events'],
                  properties: { events: { type: 'array', items: event } },
                  additionalProperties: false,
                },
              ],
            },
          },
          'application/x-ndjson': {
            schema: { type: 'string', description: 'One event as JSON per line' },
          },
        },
      },
    }),
    GZIP,
    ApiResponse({
      status: 200,
      description: 'Every item stored or duplicate',
      content: json(BATCH_RESULT_SCHEMA),
    }),
    ApiResponse({
      status: 207,
      description: 'Some items rejected (see results[].errors); the others are stored',
      content: json(BATCH_RESULT_SCHEMA),
    }),
    ApiProblem(429, 'Overloaded; retry after Retry-After'),
  );
};
