import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type AppConfig, type AppName, loadConfig } from '@auditlog/config';

/** Placeholder settings: the document only needs the module graph, never a connection. */
const DOCUMENT_ENV = {
  OPENSEARCH_URL: 'http://opensearch.invalid:9200',
  REDIS_URL: 'redis://redis.invalid:6379',
  AUTH_JWT_SECRET: 'openapi-document-generation-only-0000',
  LOG_LEVEL: 'silent',
};

export interface OpenApiSource {
  app: AppName;
  module: { forRoot(config: AppConfig): unknown };
  title: string;
  description: string;
}

/**
 * Builds an app's OpenAPI document from its controllers' decorators. Preview mode resolves
 * the module graph without instantiating providers, so no client connects.
 */
export async function buildOpenApi(source: OpenApiSource): Promise<OpenAPIObject> {
  const config = loadConfig(source.app, DOCUMENT_ENV);
  const app = await NestFactory.create(source.module.forRoot(config) as never, {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(source.title)
      .setDescription(source.description)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  await app.close();
  return document;
}

/** The committed form: stable key order as generated, two-space indent, final newline. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
