import { FIXED_FILTERS_SCHEMA } from '@auditlog/auth';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { DEFAULT_TTL_SECONDS, MAX_SUBJECT_LENGTH, MAX_TTL_SECONDS } from './viewer-token.request';

/** OpenAPI descriptions of viewer tokens and sessions (docs/console.md, "Viewer tokens"). */
const permissions: SchemaObject = {
  type: 'array',
  items: { type: 'string', enum: ['view', 'export'] },
};

export const CREATE_VIEWER_TOKEN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['company_id', 'subject'],
  additionalProperties: false,
  properties: {
    company_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    subject: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_SUBJECT_LENGTH,
      description: 'Who will view: recorded as the actor of audit_log.viewed / exported.',
    },
    roles: {
      type: 'array',
      items: { type: 'string', enum: ['company_owner'] },
      default: ['company_owner'],
    },
    filters: { ...FIXED_FILTERS_SCHEMA, default: {} },
    permissions: { ...permissions, default: ['view'] },
    ttl_seconds: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_TTL_SECONDS,
      default: DEFAULT_TTL_SECONDS,
      description: 'Lifetime of the token and of the session it opens.',
    },
  },
};

export const VIEWER_TOKEN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['token', 'expires_at', 'url'],
  properties: {
    token: {
      type: 'string',
      description: 'vt_…: single use, exchange with POST /v1/viewer-sessions',
    },
    expires_at: { type: 'string', format: 'date-time' },
    url: {
      type: 'string',
      description: '<CONSOLE_PUBLIC_URL or request origin>/console/#viewer_token=<token>',
    },
  },
};

export const CREATE_VIEWER_SESSION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string' } },
};

export const VIEWER_SESSION_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'session_token',
    'expires_at',
    'subject',
    'company_id',
    'roles',
    'permissions',
    'filters',
  ],
  properties: {
    session_token: {
      type: 'string',
      description: 'Send as "Authorization: Bearer …" to the query and export APIs.',
    },
    expires_at: { type: 'string', format: 'date-time' },
    subject: { type: 'string' },
    company_id: { type: 'string' },
    roles: { type: 'array', items: { type: 'string', enum: ['company_owner'] } },
    permissions,
    filters: FIXED_FILTERS_SCHEMA,
  },
};
