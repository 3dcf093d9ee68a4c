import autocannon from 'autocannon';

export interface LoadRequest {
  method: 'POST' | 'PUT';
  path: string;
  body: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  headers: Record<string, string>;
  /** The request to send as the n-th request (0-based); called once per request. */
  request: (n: number) => LoadRequest;
  /** Requests to send in all; with `overallRate`, `duration` bounds the run instead. */
  amount?: number;
  /** Requests per second over all connections (paced load for latency). */
  overallRate?: number;
  durationSeconds?: number;
}

/**
 * One autocannon run. Every request is built by `request(n)` so that ids are unique across
 * the run; a run with any error or non-2xx answer throws, since its rate would be a lie.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let sent = 0;
  const started = process.hrtime.bigint();
  // autocannon only notices that a run is over at its next one-second sample, so its own
  // end time (and any rate taken from it) is rounded up to whole seconds: a run is timed
  // from its start to its last response instead.
  let lastResponse = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        headers: options.headers,
        ...(options.amount !== undefined ? { amount: options.amount } : {}),
        ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
        ...(options.durationSeconds !== undefined ? { duration: options.durationSeconds } : {}),
        timeout: 60,
        requests: [
          {
            setupRequest: (request) => {
              const next = options.request(sent);
              sent += 1;
              return { ...request, method: next.method, path: next.path, body: next.body };
            },
          },
        ],
      },
      (error, finished) => (error ? reject(asError(error)) : resolve(finished)),
    );
    instance.on('response', () => {
      lastResponse = process.hrtime.bigint();
    });
  });
  const seconds = Number(lastResponse - started) / 1e9;
  const completed = result.requests.total;
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `load on ${options.url} failed: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx of ${completed} requests`,
    );
  }
  return {
    requests: completed,
    seconds,
    requestsPerSecond: completed / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
