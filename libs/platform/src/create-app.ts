import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { refuseUndeclaredQueries } from './http/undeclared-query.guard';
import { type OpenApiInfo, serveOpenApiDocs } from './openapi';

export interface CreateAppOptions {
  /** Apps that parse their own bodies (ingest: gzip, NDJSON) turn the JSON parser off. */
  jsonBody?: boolean;
  /**
   * Express's weak ETag on every body (a SHA-1 per response); ingest turns it off: its
   * answers are to POSTs, which no cache revalidates.
   */
  etag?: boolean;
  /** The app's OpenAPI description: served at /docs when OPENAPI_DOCS_ENABLED. */
  openapi?: OpenApiInfo;
}

/**
 * The production bootstrap, shared by `main.ts` and the end-to-end tests so that a test
 * app behaves exactly like a deployed one.
 */
export async function createApp(
  rootModule: unknown,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule as never, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Before app.init() registers the routes: the check of routes that take no query.
  refuseUndeclaredQueries(app);
  app.disable('x-powered-by');
  if (options.etag === false) app.disable('etag');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  if (options.jsonBody !== false) {
    app.useBodyParser('json', { limit: '1mb' });
  }
  const config = app.get<AppConfig>(APP_CONFIG);
  enableCors(app, config);
  if (options.openapi && config.openapiDocsEnabled) serveOpenApiDocs(app, options.openapi);
  app.enableShutdownHooks();
  return app;
}

export async function listen(app: INestApplication, config: AppConfig): Promise<void> {
  await app.listen(config.port, config.host);
  app.get(Logger).log(`${config.app} listening on http://${config.host}:${config.port}`);
}

/**
 * Browsers may call the APIs from the configured origins only (the console on another
 * origin than the export API, ADR 0080). Bearer tokens, never cookies: no credentials.
 */
function enableCors(app: INestApplication, config: AppConfig): void {
  if (config.corsAllowedOrigins.length === 0) return;
  app.enableCors({
    origin: config.corsAllowedOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'content-disposition', 'retry-after'],
    credentials: false,
    maxAge: 600,
  });
}
