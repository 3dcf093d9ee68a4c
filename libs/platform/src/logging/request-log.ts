import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '@auditlog/config';
import { loggerParams } from './logging';

/** Runs `handle` for a request as the framework's logger middleware does around a route. */
export type RequestLog = (
  request: IncomingMessage,
  response: ServerResponse,
  handle: () => void,
) => void;

/**
 * The request log of routes served without the framework's middleware: the same line per
 * request (request id, method, path, status, response time) through the same root logger
 * and the same `x-request-id`, and the request's logger in scope for whatever logs while it
 * runs. Create it once the app is initialised (the logger module sets the root logger).
 */
export function createRequestLog(config: AppConfig): RequestLog {
  const { pinoHttp: options } = loggerParams(config);
  const middleware = pinoHttp({ ...(options as object), logger: PinoLogger.root });
  return (request, response, handle) => {
    middleware(request, response);
    const log = (request as IncomingMessage & { log: PinoLogger['logger'] }).log;
    storage.run(new Store(log), handle);
  };
}
