import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ProblemException } from '@auditlog/problem';

export type BodyFormat = 'json' | 'ndjson';

export interface RequestBody {
  format: BodyFormat;
  text: string;
}

const JSON_TYPES = /^application\/(?:[a-z0-9.+-]+\+)?json$/;
const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl']);

export function tooLarge(detail: string): ProblemException {
  return new ProblemException(413, 'payload-too-large', 'Payload Too Large', detail);
}

function unsupported(detail: string): ProblemException {
  return new ProblemException(415, 'unsupported-media-type', 'Unsupported Media Type', detail);
}

function badBody(detail: string): ProblemException {
  return new ProblemException(400, 'malformed-body', 'Malformed request body', detail);
}

function formatOf(request: IncomingMessage, allowNdjson: boolean): BodyFormat {
  const header = request.headers['content-type'] ?? '';
  const [mediaType = '', ...parameters] = header
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  if (charset && !['charset=utf-8', 'charset="utf-8"', 'charset=utf8'].includes(charset)) {
    throw unsupported('Bodies must be UTF-8.');
  }
  if (JSON_TYPES.test(mediaType)) return 'json';
  if (allowNdjson && NDJSON_TYPES.has(mediaType)) return 'ndjson';
  throw unsupported(
    allowNdjson
      ? 'Send Content-Type: application/json or application/x-ndjson.'
      : 'Send Content-Type: application/json.',
  );
}

function decoded(request: IncomingMessage): Readable {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return request;
  if (encoding === 'gzip' || encoding === 'x-gzip') return request.pipe(createGunzip());
  throw unsupported('Content-Encoding must be gzip or identity.');
}

/** Reads at most `maxBytes`, counted on the wire and again after decompression. */
function collect(
  request: IncomingMessage,
  response: ServerResponse,
  maxBytes: number,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  const refuse = (detail: string): ProblemException => {
    // Stop listening, discard the rest, and do not keep the connection for more of it.
    response.setHeader('Connection', 'close');
    request.unpipe();
    request.resume();
    return tooLarge(detail);
  };
  const limitText = `The request body may be at most ${maxBytes} bytes`;
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(refuse(`${limitText}.`));
  }
  const stream = decoded(request);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let total = 0;
    let done = false;
    const finish = (error?: ProblemException): void => {
      if (done) return;
      done = true;
      if (error) {
        if (stream !== request) stream.destroy();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, total));
      }
    };
    if (stream !== request) {
      request.on('data', (chunk: Buffer) => {
        wire += chunk.length;
        if (wire > maxBytes) finish(refuse(`${limitText}.`));
      });
    }
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) finish(refuse(`${limitText}, also after decompression.`));
      else chunks.push(chunk);
    });
    stream.on('end', () => finish());
    stream.on('error', () =>
      finish(
        stream === request
          ? badBody('The body could not be read.')
          : badBody('The body is not valid gzip.'),
      ),
    );
    request.on('aborted', () => finish(badBody('The request was aborted.')));
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The ingest app parses bodies itself: gzip, NDJSON, and byte limits that also hold
 * after decompression (a small gzip bomb cannot expand into memory).
 */
export async function readRequestBody(
  request: IncomingMessage,
  response: ServerResponse,
  options: { maxBytes: number; allowNdjson: boolean },
): Promise<RequestBody> {
  const format = formatOf(request, options.allowNdjson);
  const bytes = await collect(request, response, options.maxBytes);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badBody('The body is not valid UTF-8.');
  }
  return { format, text };
}

export function parseJson(text: string, what = 'The body'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badBody(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}
