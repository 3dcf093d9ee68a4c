import { Agent, request as httpRequest } from 'node:http';
import type { LoadRequest, LoadResult } from './load';

export interface PacedOptions {
  url: string;
  headers: Record<string, string>;
  /** Requests per second, sent at even intervals. */
  rate: number;
  durationSeconds: number;
  /** The request to send as the n-th request (0-based); called once per request. */
  request: (n: number) => LoadRequest;
}

export interface PacedResult extends LoadResult {
  p90Ms: number;
  maxMs: number;
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

/**
 * Open-loop load at a steady rate: request n leaves at start + n / rate whatever the answers
 * before it (over as many keep-alive sockets as are needed), and its latency counts from
 * that moment, so a server that falls behind shows its queue instead of slowing the
 * client. autocannon's `overallRate` is a quota per second and connection: every connection
 * sends back to back at the top of each second until its quota is used, which measures a
 * burst at full concurrency, not a steady rate.
 */
export async function runPaced(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.max(1, Math.round(options.rate * options.durationSeconds));
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const send = (n: number): Promise<void> =>
    new Promise((done) => {
      const due = started + (n * 1000) / options.rate;
      const next = options.request(n);
      const call = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: next.method,
          path: next.path,
          headers: { ...options.headers, 'content-length': Buffer.byteLength(next.body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if ((response.statusCode ?? 0) >= 300) failures += 1;
            latencies.push(performance.now() - due);
            done();
          });
        },
      );
      call.on('error', () => {
        failures += 1;
        done();
      });
      call.end(next.body);
    });
  const pending: Array<Promise<void>> = [];
  for (let n = 0; n < total; n++) {
    const wait = started + (n * 1000) / options.rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(n));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (failures > 0) throw new Error(`paced load on ${options.url}: ${failures} of ${total} failed`);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: total,
    seconds,
    requestsPerSecond: total / seconds,
    p50Ms: Math.round(percentile(sorted, 0.5)),
    p90Ms: Math.round(percentile(sorted, 0.9)),
    p99Ms: Math.round(percentile(sorted, 0.99)),
    maxMs: Math.round(sorted[sorted.length - 1] ?? 0),
    errors: 0,
    non2xx: 0,
  };
}
