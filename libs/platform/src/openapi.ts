import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiResponse, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type AppConfig, type AppName, loadConfig } from '@auditlog/config';
import { PROBLEM_CONTENT_TYPE } from '@auditlog/problem';

/** Placeholder settings: the document only needs the module graph, never a connection. */
const DOCUMENT_ENV = {
  OPENSEARCH_URL: 'http://opensearch.invalid:9200',
  REDIS_URL: 'redis://redis.invalid:6379',
  AUTH_JWT_SECRET: 'openapi-document-generation-only-0000',
  INGEST_API_KEYS: `openapi:${'0'.repeat(64)}:*`,
  LOG_LEVEL: 'silent',
};

/** Security scheme names of the documents. */
export const BEARER_JWT = 'jwt';
export const BEARER_INGEST_KEY = 'ingest-key';

/** What an app's document says of itself; the paths come from its controllers. */
export interface OpenApiInfo {
  title: string;
  description: string;
  /** The bearer schemes the app's routes use. */
  auth: Array<typeof BEARER_JWT | typeof BEARER_INGEST_KEY>;
}

export interface OpenApiSource extends OpenApiInfo {
  app: AppName;
  module: { forRoot(config: AppConfig): unknown };
}

/** The app's OpenAPI document from its controllers' decorators and DTOs (ADR 0030). */
export function createOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion('1');
  if (info.auth.includes(BEARER_JWT)) {
    builder.addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'A company-owner or installation-admin JWT, or a viewer session token (POST /v1/viewer-sessions on the query API).',
      },
      BEARER_JWT,
    );
  }
  if (info.auth.includes(BEARER_INGEST_KEY)) {
    builder.addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'An ingest key (INGEST_API_KEYS) on the ingest API; a viewer-token key (VIEWER_TOKEN_KEYS) on POST /v1/viewer-tokens.',
      },
      BEARER_INGEST_KEY,
    );
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  // Every route refuses undeclared query parameters (ProblemValidationPipe for a query DTO,
  // UndeclaredQueryGuard on the others): a 400 is a documented answer of each one.
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation && !operation.responses['400']) {
        operation.responses['400'] = {
          description: 'An unknown query parameter',
          content: {
            [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } },
          },
        };
      }
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  return document;
}

/**
 * Builds an app's committed OpenAPI document. Preview mode resolves the module graph
 * without instantiating providers, so no client connects.
 */
export async function buildOpenApi(source: OpenApiSource): Promise<OpenAPIObject> {
  const config = loadConfig(source.app, DOCUMENT_ENV);
  const app = await NestFactory.create(source.module.forRoot(config) as never, {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const document = createOpenApiDocument(app, source);
  await app.close();
  return document;
}

export const DOCS_PATH = 'docs';

/**
 * The interactive reference at `/docs` (Swagger UI, its assets served from the local
 * swagger-ui-dist package, never a CDN) and the document at `/docs/openapi.json`.
 */
export function serveOpenApiDocs(app: INestApplication, info: OpenApiInfo): void {
  SwaggerModule.setup(DOCS_PATH, app, () => createOpenApiDocument(app, info), {
    raw: ['json'],
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    customSiteTitle: info.title,
    swaggerOptions: { persistAuthorization: false },
  });
}

/** The committed form: stable key order as generated, two-space indent, final newline. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** RFC 9457 problem details, as the ProblemFilter sends them. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    request_id: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  additionalProperties: true,
};

/** A problem+json error response. */
export const ApiProblem = (status: number, description: string): MethodDecorator & ClassDecorator =>
  ApiResponse({
    status,
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  });
