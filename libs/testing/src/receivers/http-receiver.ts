import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { waitFor } from '../opensearch';

/** An answer queued for the next request that passes the protocol's checks. */
export interface ScriptedResponse {
  /** Omitted: the protocol's own success answer (the request is accepted as usual). */
  status?: number;
  /** A string as is, anything else as JSON; default: the protocol's error body for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as the `Retry-After` header. */
  retryAfter?: number | string;
  /** Waits this long before answering (to run into a sender's timeout). */
  delayMs?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent on the wire. */
  raw: Buffer;
  /** The body after `Content-Encoding` was undone. */
  body: Buffer;
  /** The client's port: the same for requests over one kept-alive connection. */
  remotePort: number | undefined;
}

/** What a protocol's handler answers for one request. */
export interface ProtocolAnswer<T> {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** What the request delivered, recorded only when no scripted answer replaces the success. */
  accepted?: T[];
}

export interface HttpReceiver<T> {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Every item accepted, in arrival order. */
  received: T[];
  /** Every request that reached the receiver, in order, accepted or not. */
  requests: ReceivedRequest[];
  /** Queues answers for the next requests that pass the protocol's own checks. */
  respondNext(...responses: ScriptedResponse[]): void;
  /** Resolves with `received` once it holds at least `count` items. */
  waitForCount(count: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

export type ProtocolHandler<T> = (
  request: ReceivedRequest,
) => ProtocolAnswer<T> | { status: number; body: unknown; headers?: Record<string, string> };

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? 'identity').toLowerCase()) {
    case 'gzip':
      return gunzipSync(raw);
    case 'deflate':
      return inflateSync(raw);
    case 'identity':
      return raw;
    default:
      throw new Error(`unsupported Content-Encoding ${encoding}`);
  }
}

/**
 * An HTTP server on loopback that runs a protocol handler for each request. Handlers
 * validate like the real service; scripted answers replace only the success answer, so a
 * request refused by its own checks is refused whatever is queued.
 */
export async function startHttpReceiver<T>(
  handler: ProtocolHandler<T>,
  errorBody: (status: number) => unknown,
  listenPort = 0,
): Promise<HttpReceiver<T>> {
  const received: T[] = [];
  const requests: ReceivedRequest[] = [];
  const scripted: ScriptedResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(text);
      };
      let body: Buffer;
      try {
        body = decode(raw, req.headers['content-encoding']);
      } catch {
        send(400, errorBody(400));
        return;
      }
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body,
        remotePort: req.socket.remotePort,
      };
      requests.push(request);
      const answer = handler(request);
      const accepted = 'accepted' in answer ? answer.accepted : undefined;
      const next = accepted ? scripted.shift() : undefined;
      if (next?.status === undefined) {
        if (accepted) received.push(...accepted);
        send(answer.status, answer.body, answer.headers);
        return;
      }
      const status = next.status;
      const reply = (): void =>
        send(status, next.body ?? errorBody(status), {
          ...(next.retryAfter === undefined ? {} : { 'Retry-After': String(next.retryAfter) }),
          ...next.headers,
        });
      if (next.delayMs) setTimeout(reply, next.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    requests,
    respondNext: (...responses) => scripted.push(...responses),
    waitForCount: (count, timeoutMs = 10_000) =>
      waitFor(() => Promise.resolve(received.length >= count ? received : undefined), {
        timeoutMs,
        intervalMs: 20,
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The value of a header that may repeat. */
export function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
