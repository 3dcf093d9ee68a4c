import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@auditlog/config';
import { QueryModule } from './query.module';

/** Placeholder settings: the document only needs the module graph, never a connection. */
const DOCUMENT_ENV = {
  OPENSEARCH_URL: 'http://opensearch.invalid:9200',
  REDIS_URL: 'redis://redis.invalid:6379',
  AUTH_JWT_SECRET: 'openapi-document-generation-only-0000',
  LOG_LEVEL: 'silent',
};

/**
 * Builds the OpenAPI document of the query API from the controllers' decorators. Preview
 * mode resolves the module graph without instantiating providers, so no client connects.
 */
export async function buildQueryOpenApi(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(QueryModule.forRoot(loadConfig('query', DOCUMENT_ENV)), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const config = new DocumentBuilder()
    .setTitle('Audit Log Appliance: query API')
    .setDescription(
      'Company owners read their own audit events; installation admins read any company. Errors are application/problem+json. See docs/query.md.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  await app.close();
  return document;
}

/** The committed form: stable key order as generated, two-space indent, final newline. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
