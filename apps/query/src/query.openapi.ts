import { BEARER_INGEST_KEY, BEARER_JWT, type OpenApiInfo } from '@auditlog/platform';

/** The query API's OpenAPI document head (docs/openapi/query.json, /docs). */
export const QUERY_OPENAPI: OpenApiInfo = {
  title: 'Audit Log Appliance: query API',
  description:
    'Company owners read their own audit events; installation admins read any company. Errors are application/problem+json. See docs/query.md.',
  auth: [BEARER_JWT, BEARER_INGEST_KEY],
};
