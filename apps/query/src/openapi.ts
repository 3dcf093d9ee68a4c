import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApi } from '@auditlog/platform';
import { QueryModule } from './query.module';
import { QUERY_OPENAPI } from './query.openapi';

export { serializeOpenApi } from '@auditlog/platform';

export function buildQueryOpenApi(): Promise<OpenAPIObject> {
  return buildOpenApi({ app: 'query', module: QueryModule, ...QUERY_OPENAPI });
}
