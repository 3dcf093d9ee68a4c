import {
  header,
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from './http-receiver';

/** Logs intake v2 limits (Datadog docs, "Send logs"). */
export const DATADOG_INTAKE_MAX_ENTRIES = 1000;
export const DATADOG_INTAKE_MAX_BYTES = 5 * 1024 * 1024;

const problem = (status: number, detail: string): Record<string, unknown> => ({
  errors: [{ status: String(status), title: titleOf(status), detail }],
});

function titleOf(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    408: 'Request Timeout',
    413: 'Payload Too Large',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return titles[status] ?? 'Error';
}

/**
 * Datadog's logs intake v2 on loopback: `POST /api/v2/logs`, `DD-API-KEY`, a JSON array
 * (or one object), gzip or deflate; 202 `{}`; 400, 403 and 413 with `errors[]` as the
 * intake answers; every request's payload size and entry count checked against the limits.
 */
export function startDatadogReceiver(options: {
  apiKey: string;
}): Promise<HttpReceiver<Record<string, unknown>>> {
  return startHttpReceiver<Record<string, unknown>>(
    (request: ReceivedRequest) => {
      if (request.method !== 'POST' || request.path.split('?')[0] !== '/api/v2/logs') {
        return { status: 404, body: problem(404, 'Not found') };
      }
      if (header(request, 'dd-api-key') !== options.apiKey) {
        return { status: 403, body: problem(403, 'Forbidden') };
      }
      if (request.body.length > DATADOG_INTAKE_MAX_BYTES) {
        return { status: 413, body: problem(413, 'Payload too large') };
      }
      if (!(header(request, 'content-type') ?? '').startsWith('application/json')) {
        return { status: 400, body: problem(400, 'Content-Type must be application/json') };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.body.toString('utf8'));
      } catch {
        return { status: 400, body: problem(400, 'Malformed JSON') };
      }
      const entries = Array.isArray(parsed) ? parsed : [parsed];
      if (entries.length > DATADOG_INTAKE_MAX_ENTRIES) {
        return { status: 400, body: problem(400, 'Too many log entries in the array') };
      }
      if (entries.some((entry) => typeof entry !== 'object' || entry === null)) {
        return { status: 400, body: problem(400, 'Each log must be an object') };
      }
      return { status: 202, body: {}, accepted: entries as Array<Record<string, unknown>> };
    },
    (status) => problem(status, titleOf(status)),
  );
}
