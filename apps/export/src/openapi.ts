import type { OpenAPIObject } from '@nestjs/swagger';
import { BEARER_JWT, buildOpenApi } from '@auditlog/platform';
import { ExportModule } from './export.module';

export function buildExportOpenApi(): Promise<OpenAPIObject> {
  return buildOpenApi({
    app: 'export',
    auth: [BEARER_JWT],
    module: ExportModule,
    title: 'Audit Log Appliance: export API',
    description:
      'Streamed downloads and export jobs (CSV, JSON, NDJSON, XLSX) of one company’s audit events, with history. Errors are application/problem+json. See docs/export.md.',
  });
}
