import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApi } from '@auditlog/platform';
import { IngestModule } from './ingest.module';
import { INGEST_OPENAPI } from './ingest.openapi';

export { serializeOpenApi } from '@auditlog/platform';

export function buildIngestOpenApi(): Promise<OpenAPIObject> {
  return buildOpenApi({ app: 'ingest', module: IngestModule, ...INGEST_OPENAPI });
}
