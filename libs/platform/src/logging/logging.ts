import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '@auditlog/config';

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honour a caller's request id when it is sane, otherwise mint one; echo it back. */
export function requestId(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      base: { app: config.app },
      genReqId: requestId,
      customAttributeKeys: { reqId: 'request_id' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      autoLogging: { ignore: (request) => request.url?.startsWith('/health') ?? false },
      // The line written per request, built from the raw objects: method, path and id of the
      // request, the status of the response. pino-http's standard serializers would first
      // copy every request and response header into objects this line never shows
      // (docs/adr/0160-ingest-request-cost.md).
      wrapSerializers: false,
      serializers: { req: requestLine, res: responseLine },
    },
  };
}

type LoggedRequest = IncomingMessage & { id?: unknown; originalUrl?: string };

function requestLine(request: LoggedRequest): { id: unknown; method?: string; url?: string } {
  const url = request.originalUrl ?? request.url;
  const query = url?.indexOf('?') ?? -1;
  return { id: request.id, method: request.method, url: query < 0 ? url : url?.slice(0, query) };
}

function responseLine(response: ServerResponse): { statusCode: number } {
  return { statusCode: response.statusCode };
}
