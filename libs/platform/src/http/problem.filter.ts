import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { type ServerResponse, STATUS_CODES } from 'node:http';
import {
  type FieldProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  type ProblemBody,
  ProblemException,
} from '@auditlog/problem';

function slugFor(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Body-parser and similar middleware errors carry `status`/`type` but are not HttpExceptions. */
function middlewareStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const status = (exception as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function detailOf(exception: HttpException): { detail?: string; errors?: FieldProblem[] } {
  const response = exception.getResponse();
  if (typeof response === 'string') return { detail: response };
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) {
    return {
      detail: 'The request has invalid fields.',
      errors: message.map((text) => {
        const [path = ''] = String(text).split(' ');
        return { path, message: String(text) };
      }),
    };
  }
  return { detail: typeof message === 'string' ? message : exception.message };
}

/** The challenge of every 401: all the APIs take bearer credentials (JWT, session, key). */
export const BEARER_CHALLENGE = 'Bearer';

/** Seconds a client is told to wait when the storage is unreachable or overloaded. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/** Names of the OpenSearch client's errors for a node that cannot be reached in time. */
const UNREACHABLE_ERRORS = new Set([
  'ConnectionError',
  'TimeoutError',
  'NoLivingConnectionsError',
  'StorageUnavailableError',
]);

/**
 * A failure of the storage rather than of this request: the client should retry later, so it
 * gets 503 with Retry-After instead of an opaque 500. Matched by name so that this lib needs no
 * storage dependency.
 */
export function isStorageOutage(exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  if (UNREACHABLE_ERRORS.has(exception.name)) return true;
  const statusCode = (exception as { statusCode?: unknown }).statusCode;
  return exception.name === 'ResponseError' && (statusCode === 429 || statusCode === 503);
}

/** A problem document and the headers that go with it (e.g. Retry-After). */
export interface ProblemReply {
  body: ProblemBody;
  headers: Record<string, string>;
}

const logger = new Logger('ProblemFilter');

/**
 * The answer to a request that failed with `exception`: what the exception says for a
 * ProblemException, 503 with Retry-After for a storage outage, 500 (logged) for anything
 * unexpected. `instance` is the request's path.
 */
export function problemReply(
  exception: unknown,
  requestId: string,
  instance: string | undefined,
): ProblemReply {
  if (isStorageOutage(exception)) {
    logger.warn({ err: exception, request_id: requestId }, 'Storage unavailable');
    exception = ProblemException.unavailable(
      'Storage is unavailable or overloaded; retry later.',
      STORAGE_RETRY_AFTER_SECONDS,
    );
  }
  const body = toProblem(exception, requestId);
  body.instance = instance;
  return { body, headers: exception instanceof ProblemException ? exception.headers : {} };
}

/**
 * Sets the reply's headers on the response, and the challenge every 401 carries (RFC 9110
 * §11.6.1) whoever raised it. False when the response had already begun: it is destroyed,
 * as no problem can follow a started body.
 */
export function applyProblemHeaders(response: ServerResponse, reply: ProblemReply): boolean {
  for (const [name, value] of Object.entries(reply.headers)) response.setHeader(name, value);
  if (reply.body.status === 401 && response.getHeader('WWW-Authenticate') === undefined)
    response.setHeader('WWW-Authenticate', BEARER_CHALLENGE);
  if (response.headersSent) {
    response.destroy();
    return false;
  }
  return true;
}

/**
 * Sends `value` as JSON on a bare node:http response with the headers express's
 * `res.json` sets: the media type with `charset=utf-8`, and the length.
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  mediaType = 'application/json',
): void {
  const text = JSON.stringify(value);
  response.statusCode = status;
  response.setHeader('Content-Type', `${mediaType}; charset=utf-8`);
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.end(text);
}

/** Sends the problem on a bare node:http response, as the filter sends it through express. */
export function sendProblem(response: ServerResponse, reply: ProblemReply): void {
  if (applyProblemHeaders(response, reply))
    sendJson(response, reply.body.status, reply.body, PROBLEM_CONTENT_TYPE);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request & { id?: string }>();
    const response = context.getResponse<Response>();
    const requestId = String(request.id ?? response.getHeader('x-request-id') ?? '');
    const reply = problemReply(exception, requestId, request.originalUrl?.split('?')[0]);
    if (!applyProblemHeaders(response, reply)) return;
    response.status(reply.body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(reply.body));
  }
}

function toProblem(exception: unknown, requestId: string): ProblemBody {
  if (exception instanceof ProblemException) {
    return {
      ...exception.extensions,
      type: PROBLEM_TYPE_BASE + exception.slug,
      title: exception.title,
      status: exception.getStatus(),
      detail: exception.detail,
      request_id: requestId,
      ...(exception.errors ? { errors: exception.errors } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 503) return notReady(exception, requestId);
    if (status >= 500) return internal(exception, requestId);
    return {
      type: PROBLEM_TYPE_BASE + slugFor(status),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      ...detailOf(exception),
      request_id: requestId,
    };
  }
  const status = middlewareStatus(exception);
  if (status !== undefined) {
    return {
      type: PROBLEM_TYPE_BASE + slugFor(status),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail:
        status === 413
          ? 'The request body is larger than allowed.'
          : 'The request body could not be read.',
      request_id: requestId,
    };
  }
  return internal(exception, requestId);
}

/**
 * A 503 raised by the framework is a dependency reporting itself down (terminus health
 * checks): the checks' own report (`info`, `error`, `details`) is kept beside the problem
 * fields so operators see which dependency is down.
 */
function notReady(exception: HttpException, requestId: string): ProblemBody {
  const response = exception.getResponse();
  const { info, error, details } =
    typeof response === 'object' && response !== null
      ? (response as Record<string, unknown>)
      : ({} as Record<string, unknown>);
  return {
    type: PROBLEM_TYPE_BASE + 'service-unavailable',
    title: 'Service Unavailable',
    status: 503,
    detail: 'A dependency is unavailable.',
    request_id: requestId,
    ...(info === undefined ? {} : { info }),
    ...(error === undefined ? {} : { error }),
    ...(details === undefined ? {} : { details }),
  };
}

function internal(exception: unknown, requestId: string): ProblemBody {
  logger.error({ err: exception, request_id: requestId }, 'Unhandled error');
  return {
    type: PROBLEM_TYPE_BASE + 'internal-error',
    title: 'Internal Server Error',
    status: 500,
    detail: `Something went wrong on our side. Quote request id ${requestId} to the operator.`,
    request_id: requestId,
  };
}
