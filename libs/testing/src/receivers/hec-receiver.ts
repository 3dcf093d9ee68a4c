import {
  header,
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from './http-receiver';

/** One event as Splunk HEC received it (the envelope: time, host, source, sourcetype, index, event). */
export interface HecReceived {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
}

/** HEC's answer texts by code (Splunk docs, "Format events for HTTP Event Collector"). */
const HEC_TEXT: Record<number, string> = {
  0: 'Success',
  2: 'Token is required',
  3: 'Invalid authorization',
  4: 'Invalid token',
  5: 'No data',
  6: 'Invalid data format',
  7: 'Incorrect index',
  8: 'Internal server error',
  9: 'Server is busy',
  12: 'Event field is required',
  13: 'Event field cannot be blank',
};

const hec = (code: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  text: HEC_TEXT[code],
  code,
  ...extra,
});

/** Reads concatenated JSON objects, as HEC does (whitespace between them allowed). */
export function parseConcatenatedJson(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error('unbalanced }');
    } else if (depth === 0 && !/\s/.test(char)) throw new Error(`unexpected ${char}`);
  }
  if (depth !== 0 || inString) throw new Error('truncated');
  return values;
}

export interface HecReceiverOptions {
  token: string;
  /** Indexes the token may write to; an event naming another is refused with code 7. */
  indexes?: string[];
}

/**
 * A Splunk HTTP Event Collector on loopback: `POST /services/collector/event` (and
 * `/services/collector`), `Authorization: Splunk <token>`, JSON events one after another,
 * HEC's status codes and `{"text","code"}` answers.
 */
export function startHecReceiver(options: HecReceiverOptions): Promise<HttpReceiver<HecReceived>> {
  return startHttpReceiver<HecReceived>(
    (request: ReceivedRequest) => {
      const path = request.path.split('?')[0];
      if (request.method !== 'POST') return { status: 405, body: hec(6) };
      if (path !== '/services/collector/event' && path !== '/services/collector') {
        return {
          status: 404,
          body: { text: 'The requested URL was not found on this server.', code: 404 },
        };
      }
      const authorization = header(request, 'authorization');
      if (!authorization) return { status: 401, body: hec(2) };
      const [scheme, token] = authorization.split(' ', 2);
      if (scheme !== 'Splunk') return { status: 401, body: hec(3) };
      if (token !== options.token) return { status: 403, body: hec(4) };
      const text = request.body.toString('utf8');
      if (text.trim() === '') return { status: 400, body: hec(5) };
      let values: unknown[];
      try {
        values = parseConcatenatedJson(text);
      } catch {
        return { status: 400, body: hec(6, { 'invalid-event-number': 0 }) };
      }
      for (const [number, value] of values.entries()) {
        const entry = value as Partial<HecReceived>;
        if (!('event' in entry))
          return { status: 400, body: hec(12, { 'invalid-event-number': number }) };
        if (entry.event === '' || entry.event === null) {
          return { status: 400, body: hec(13, { 'invalid-event-number': number }) };
        }
        if (entry.time !== undefined && typeof entry.time !== 'number') {
          return { status: 400, body: hec(6, { 'invalid-event-number': number }) };
        }
        if (
          entry.index !== undefined &&
          options.indexes &&
          !options.indexes.includes(entry.index)
        ) {
          return { status: 400, body: hec(7, { 'invalid-event-number': number }) };
        }
      }
      return { status: 200, body: hec(0), accepted: values as HecReceived[] };
    },
    (status) => (status === 503 ? hec(9) : status >= 500 ? hec(8) : hec(6)),
  );
}
