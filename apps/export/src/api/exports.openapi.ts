import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { FILTER_PARAMS } from '@auditlog/events';
import { ApiProblem, BEARER_JWT } from '@auditlog/platform';
import { EXPORT_FORMATS, EXPORT_STATUSES } from '@auditlog/export-jobs';

/**
 * OpenAPI descriptions of the export API, declared explicitly like the query API's
 * (docs/adr/0030-openapi-explicit-decorators.md).
 */
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });

const FILTERS_SCHEMA: SchemaObject = {
  type: 'object',
  description: `The filters of GET /v1/events as parameter name -> value or values: ${FILTER_PARAMS.join(', ')}, context.<key>. from/to are stored as absolute instants.`,
  additionalProperties: {
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  },
  example: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', action: 'flow.*' },
};

export const EXPORT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', example: 'exp_3f1c0d6a9b2e4c7f8a1b2c3d4e5f6a7b' },
    name: { type: 'string' },
    format: { type: 'string', enum: [...EXPORT_FORMATS] },
    filters: FILTERS_SCHEMA,
    status: { type: 'string', enum: [...EXPORT_STATUSES] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    rows: nullable({ type: 'integer' }),
    bytes: nullable({ type: 'integer' }),
    sha256: nullable({ type: 'string', description: 'SHA-256 hex of the file' }),
    created_at: { type: 'string', format: 'date-time' },
    completed_at: nullable({ type: 'string', format: 'date-time' }),
    expires_at: nullable({ type: 'string', format: 'date-time' }),
    error: nullable({ type: 'string' }),
    company_id: { type: 'string' },
    webhook_url: nullable({ type: 'string' }),
    include_integrity: {
      type: 'boolean',
      description: 'Whether the job also writes the covering digests and a manifest',
    },
    integrity_files: {
      type: 'boolean',
      description: 'True while ?part=digests and ?part=manifest can be downloaded',
    },
  },
};

export const EXPORT_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { data: { type: 'array', items: EXPORT_SCHEMA } },
};

/** A file download: the body in each of the content types, problems as problem+json. */
export const ApiFileResponse = (description: string, types: readonly string[]) =>
  ApiOkResponse({
    description,
    content: Object.fromEntries(
      types.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
    ),
  });

export const ApiExportStreamProblems = () =>
  ApiProblem(
    413,
    'More events match than a streamed download allows; `hint` says to create an export job',
  );

export const ApiExportJobProblems = () =>
  ApiProblem(429, 'Too many queued or running jobs for this company');

export const ApiExportNotFound = () => ApiProblem(404, "No such export in the caller's company");

export const ApiExportDownloadProblems = () =>
  applyDecorators(
    ApiProblem(409, 'The export is not completed yet'),
    ApiProblem(410, 'The export expired, or its file is no longer on disk'),
  );

/** Bearer JWT (or viewer session) and the problems of every route. */
export const ApiExportAuthProblems = () =>
  applyDecorators(
    ApiBearerAuth(BEARER_JWT),
    ApiProblem(400, 'Invalid parameters or body: every problem named by path'),
    ApiProblem(401, 'No, an expired or an invalid bearer token'),
    ApiProblem(403, 'No audit-log role or export permission, or another company'),
    ApiProblem(503, 'OpenSearch or Redis unavailable; retry after Retry-After'),
  );
