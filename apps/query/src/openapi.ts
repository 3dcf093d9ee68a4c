import type { OpenAPIObject } from '@nestjs/swagger';
import { BEARER_INGEST_KEY, BEARER_JWT, buildOpenApi } from '@auditlog/platform';
import { QueryModule } from './query.module';

export { serializeOpenApi } from '@auditlog/platform';

export function buildQueryOpenApi(): Promise<OpenAPIObject> {
  return buildOpenApi({
    app: 'query',
    auth: [BEARER_JWT, BEARER_INGEST_KEY],
    module: QueryModule,
    title: 'Audit Log Appliance: query API',
    description:
      'Company owners read their own audit events; installation admins read any company. Errors are application/problem+json. See docs/query.md.',
  });
}
