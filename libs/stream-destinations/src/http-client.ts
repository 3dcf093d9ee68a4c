import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AuditEvent } from '@auditlog/events';
import type { DeliveryResult, Destination, DestinationOptions } from './destination';
import { checkLiteralHost } from './literal-address';

/** The longest excerpt of an answer body quoted in an error. */
export const EXCERPT_CHARS = 300;

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer body, at most `maxBodyBytes` of it. */
  body: string;
}

export interface HttpPost {
  /** Appended to the base URL's path ('' posts to the URL as configured). */
  path: string;
  /** Query parameters added to the base URL's own. */
  query?: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
  /** Answer bytes kept (the rest is read and dropped); default 64 KiB. */
  maxBodyBytes?: number;
}

/**
 * One keep-alive connection pool to one base URL, connecting through the egress guard's
 * lookup. A request (connect, send, answer) is bounded by `timeoutMs` as a whole.
 */
export class HttpSender {
  private readonly base: URL;
  private readonly agent: HttpAgent;

  constructor(
    url: string,
    private readonly options: DestinationOptions,
    ca?: string,
  ) {
    this.base = new URL(url);
    const agentOptions = {
      keepAlive: true,
      maxSockets: 4,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    };
    this.agent =
      this.base.protocol === 'https:'
        ? new HttpsAgent({ ...agentOptions, ...(ca ? { ca } : {}) })
        : new HttpAgent(agentOptions);
  }

  async post(post: HttpPost): Promise<HttpAnswer> {
    await checkLiteralHost(this.base.hostname, this.options.lookup);
    return this.send(post);
  }

  private send(post: HttpPost): Promise<HttpAnswer> {
    const target = new URL(this.base.href);
    if (post.path) target.pathname = this.base.pathname.replace(/\/+$/, '') + post.path;
    for (const [name, value] of Object.entries(post.query ?? {})) {
      target.searchParams.set(name, value);
    }
    const maxBodyBytes = post.maxBodyBytes ?? 64 * 1024;
    const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(target, {
        method: 'POST',
        agent: this.agent,
        headers: { ...post.headers, 'Content-Length': String(post.body.length) },
      });
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= maxBodyBytes) return;
          chunks.push(chunk);
          kept += chunk.length;
        });
        response.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        response.once('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8'),
          });
        });
      });
      request.end(post.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `Retry-After` as delay-seconds or an HTTP-date, in milliseconds from `now`. */
export function retryAfterMs(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A short, single-line excerpt of an answer for an error string, with every secret the
 * destination holds blanked out in case the peer echoes a credential back.
 */
export function excerpt(body: string, secrets: readonly string[] = []): string {
  let text = body.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) {
    if (secret.length > 0) text = text.split(secret).join('[redacted]');
  }
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
}

export function httpError(answer: HttpAnswer, secrets: readonly string[]): string {
  const quoted = excerpt(answer.body, secrets);
  return quoted ? `HTTP ${answer.status}: ${quoted}` : `HTTP ${answer.status}`;
}

/**
 * Answers that say the destination is set up wrong (credentials, path) rather than that
 * the batch is bad: every batch would meet them, so the batch is retried and the stream
 * pauses itself with the reason instead of dead-lettering data (ADR 0120). Redirects are
 * never followed (the target would escape the egress check) and count as the same.
 */
const MISCONFIGURED = new Set([401, 403, 404, 407]);

/** Transient answers: retried with backoff, honouring `Retry-After`. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The common mapping of an HTTP answer to a delivery result. */
export function classifyAnswer(answer: HttpAnswer, secrets: readonly string[]): DeliveryResult {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const error = httpError(answer, secrets);
  const redirected = status >= 300 && status < 400;
  if (isTransientStatus(status) || MISCONFIGURED.has(status) || redirected) {
    const after = retryAfterMs(answer.headers['retry-after']);
    return {
      kind: 'retry',
      status,
      error,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  }
  return { kind: 'rejected', status, error };
}

/** A failure to connect, send or hear an answer: always worth retrying. */
export function networkFailure(error: unknown, secrets: readonly string[]): DeliveryResult {
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', error: excerpt(message, secrets) };
}

/**
 * Sends the requests of one batch in order; the batch is delivered only when every one
 * was. The first that is not stops the rest and is the batch's result.
 */
export async function sendInOrder(
  sender: HttpSender,
  posts: readonly HttpPost[],
  classify: (answer: HttpAnswer) => DeliveryResult,
  secrets: readonly string[],
): Promise<DeliveryResult> {
  let result: DeliveryResult = { kind: 'delivered' };
  for (const [index, post] of posts.entries()) {
    try {
      result = classify(await sender.post(post));
    } catch (error) {
      result = networkFailure(error, secrets);
    }
    if (result.kind !== 'delivered') {
      return posts.length > 1
        ? { ...result, error: `request ${index + 1} of ${posts.length}: ${result.error}` }
        : result;
    }
  }
  return result;
}

/**
 * A destination whose batch is one or more HTTP requests to one base URL: a protocol says
 * which requests and how to read an answer; sending, ordering and closing are shared.
 */
export abstract class HttpDestination implements Destination {
  private readonly sender: HttpSender;

  protected constructor(
    url: string,
    options: DestinationOptions,
    protected readonly secrets: readonly string[],
    ca?: string,
  ) {
    this.sender = new HttpSender(url, options, ca);
  }

  protected abstract requests(events: readonly AuditEvent[]): HttpPost[];

  protected classify(answer: HttpAnswer): DeliveryResult {
    return classifyAnswer(answer, this.secrets);
  }

  deliver(events: readonly AuditEvent[]): Promise<DeliveryResult> {
    if (events.length === 0) return Promise.resolve({ kind: 'delivered' });
    return sendInOrder(
      this.sender,
      this.requests(events),
      (answer) => this.classify(answer),
      this.secrets,
    );
  }

  close(): Promise<void> {
    this.sender.close();
    return Promise.resolve();
  }
}
