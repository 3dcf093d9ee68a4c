import { BEARER_INGEST_KEY, type OpenApiInfo } from '@auditlog/platform';

/** The ingest API's OpenAPI document head (docs/openapi/ingest.json, /docs). */
export const INGEST_OPENAPI: OpenApiInfo = {
  title: 'Audit Log Appliance: ingest API',
  description:
    'Producers send audit events (one, or batches as JSON or NDJSON, optionally gzip-compressed) and register how actions are shown. Errors are application/problem+json. See docs/ingest.md.',
  auth: [BEARER_INGEST_KEY],
};
