import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { FILTER_PARAMS } from '@auditlog/events';
import { EXPORT_FORMATS } from '../format/row-writer';
import { EXPORT_STATUSES } from './export-record';

/**
 * OpenAPI descriptions of the export API, declared explicitly like the query API's
 * (docs/adr/0030-openapi-explicit-decorators.md).
 */
const PROBLEM = { description: 'application/problem+json' };
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

export const CREATE_EXPORT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['name', 'format'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    format: { type: 'string', enum: [...EXPORT_FORMATS] },
    filters: FILTERS_SCHEMA,
    company_id: { type: 'string', description: 'Installation admins only: the company to export.' },
    webhook_url: {
      type: 'string',
      description:
        'Optional: POSTed a signed JSON summary when the job ends (docs/export.md); needs EXPORT_WEBHOOK_SECRET.',
    },
    include_integrity: {
      type: 'boolean',
      default: false,
      description:
        'Also write the signed digests covering the range and a manifest, for auditlog-verify (docs/export.md). json/ndjson only, and only the from/to filters.',
    },
  },
};

export const ApiExportCompanyParam = () =>
  ApiQuery({
    name: 'company_id',
    required: false,
    description: 'Installation admins only: the company. Owners may omit it or send their own.',
    schema: { type: 'string' },
  });

export const ApiExportPartParam = () =>
  ApiQuery({
    name: 'part',
    required: false,
    description:
      'events (default): the export file; digests / manifest: the integrity files of an export created with include_integrity (404 otherwise).',
    schema: { type: 'string', enum: ['events', 'digests', 'manifest'], default: 'events' },
  });

export const ApiExportStreamParams = () =>
  applyDecorators(
    ApiExportCompanyParam(),
    ApiQuery({
      name: 'format',
      required: false,
      schema: { type: 'string', enum: [...EXPORT_FORMATS], default: 'csv' },
    }),
    ApiQuery({
      name: 'filters',
      required: false,
      description: 'Every filter parameter of GET /v1/events, sent as its own query parameter.',
      schema: FILTERS_SCHEMA,
      style: 'form',
      explode: true,
    }),
    ApiPayloadTooLargeResponse({
      description:
        'application/problem+json: more events match than a streamed download allows; `hint` says to create an export job',
    }),
  );

export const ApiExportAuthProblems = () =>
  applyDecorators(
    ApiBadRequestResponse(PROBLEM),
    ApiUnauthorizedResponse(PROBLEM),
    ApiForbiddenResponse({ description: 'application/problem+json: no audit-log role' }),
    ApiNotFoundResponse({
      description: "application/problem+json: no such export in the caller's company",
    }),
    ApiTooManyRequestsResponse({
      description: 'application/problem+json: too many queued or running jobs for this company',
    }),
  );
