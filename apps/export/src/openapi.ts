import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApi } from '@auditlog/platform';
import { ExportModule } from './export.module';
import { EXPORT_OPENAPI } from './export.openapi';

export { serializeOpenApi } from '@auditlog/platform';

export function buildExportOpenApi(): Promise<OpenAPIObject> {
  return buildOpenApi({ app: 'export', module: ExportModule, ...EXPORT_OPENAPI });
}
