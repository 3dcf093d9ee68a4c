import {
  type ArgumentsHost,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ProblemException } from '@auditlog/problem';
import { errors } from '@opensearch-project/opensearch';
import { isStorageOutage, ProblemFilter, STORAGE_RETRY_AFTER_SECONDS } from './problem.filter';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('boom'), { name }, extra);
}

interface Rendered {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

function render(exception: unknown): Rendered {
  const rendered: Rendered = { headers: {} };
  const response = {
    headersSent: false,
    getHeader: (name: string) => rendered.headers[name],
    setHeader: (name: string, value: string) => (rendered.headers[name] = value),
    status(code: number) {
      rendered.status = code;
      return this;
    },
    type() {
      return this;
    },
    send(text: string) {
      rendered.body = JSON.parse(text) as Record<string, unknown>;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ id: 'req-1', originalUrl: '/v1/events?x=1' }),
      getResponse: () => response,
    }),
  } as unknown as ArgumentsHost;
  new ProblemFilter().catch(exception, host);
  return rendered;
}

const response = (statusCode: number) =>
  new errors.ResponseError({
    body: {},
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as never,
  });

describe('storage outages in the problem filter', () => {
  it.each([
    ['a connection error', new errors.ConnectionError('refused', {} as never)],
    ['a timeout', new errors.TimeoutError('slow', {} as never)],
    ['no living connections', new errors.NoLivingConnectionsError('none', {} as never)],
    ['429 from OpenSearch', response(429)],
    ['503 from OpenSearch', response(503)],
    ['the storage lib reporting it', named('StorageUnavailableError')],
  ])('treats %s as an outage', (_case, error) => expect(isStorageOutage(error)).toBe(true));

  it('lets other failures through as they are', () => {
    expect(isStorageOutage(response(400))).toBe(false);
    expect(isStorageOutage(new Error('plain'))).toBe(false);
    expect(isStorageOutage('ConnectionError')).toBe(false);
  });

  it('answers 503 problem+json with Retry-After instead of 500', () => {
    const rendered = render(new errors.ConnectionError('boom', {} as never));
    expect(rendered.status).toBe(503);
    expect(rendered.headers['Retry-After']).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
    expect(rendered.body).toMatchObject({
      status: 503,
      type: 'https://auditlog.dev/problems/storage-unavailable',
      request_id: 'req-1',
      instance: '/v1/events',
    });
    expect(JSON.stringify(rendered.body)).not.toContain('boom');
  });

  it('still hides an unexpected error behind a 500', () => {
    const rendered = render(new Error('secret detail'));
    expect(rendered.status).toBe(500);
    expect(JSON.stringify(rendered.body)).not.toContain('secret detail');
  });
});

describe('a dependency reporting itself down', () => {
  it('answers 503 with the checks of the health report', () => {
    const report = {
      status: 'error',
      info: { opensearch: { status: 'up' } },
      error: { redis: { status: 'down', message: 'timed out' } },
      details: { opensearch: { status: 'up' }, redis: { status: 'down', message: 'timed out' } },
    };
    const rendered = render(new ServiceUnavailableException(report));
    expect(rendered.status).toBe(503);
    expect(rendered.body).toMatchObject({
      status: 503,
      type: 'https://auditlog.dev/problems/service-unavailable',
      info: report.info,
      error: report.error,
      details: report.details,
    });
  });
});

describe('a 401', () => {
  it.each<[string, unknown]>([
    ['a problem without headers', new ProblemException(401, 'viewer-token-invalid', 'Expired')],
    ['the framework', new UnauthorizedException()],
  ])('from %s carries WWW-Authenticate: Bearer', (_case, exception) => {
    const rendered = render(exception);
    expect(rendered.status).toBe(401);
    expect(rendered.headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('keeps a challenge the problem already names', () => {
    const exception = new ProblemException(401, 'x', 'X', undefined, undefined, {
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    });
    expect(render(exception).headers['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('is not added to other statuses', () => {
    expect(render(new ProblemException(403, 'forbidden', 'Forbidden')).headers).toEqual({});
  });
});
