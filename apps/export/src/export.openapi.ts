import { BEARER_JWT, type OpenApiInfo } from '@auditlog/platform';

/** The export API's OpenAPI document head (docs/openapi/export.json, /docs). */
export const EXPORT_OPENAPI: OpenApiInfo = {
  title: 'Audit Log Appliance: export API',
  description:
    'Streamed downloads and export jobs (CSV, JSON, NDJSON, XLSX) of one company’s audit events, with history. Errors are application/problem+json. See docs/export.md.',
  auth: [BEARER_JWT],
};
