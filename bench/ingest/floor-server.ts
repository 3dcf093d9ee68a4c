/**
 * The floor under any HTTP ingest API on Node.js: a bare `node:http` server with no
 * authentication, validation, framework or logging. `request-cost.ts --floor` measures its
 * CPU per request beside the ingest app's: what no implementation of the API on Node.js
 * can go below.
 *
 * - `POST /v1/events`: reads and parses the body and answers 201 with the event's id
 *   (nothing stored: the cost of the HTTP exchange alone).
 * - `POST /v1/events/batch`: reads and parses the batch, serialises each event once with
 *   `JSON.stringify` and hashes it (SHA-256, the least the contract's hash needs), sends
 *   them as one `_bulk` to OpenSearch and answers 200 with an id and status per event.
 *
 *   PORT=3914 OPENSEARCH_URL=http://127.0.0.1:9200 INDEX=floor node --import tsx bench/ingest/floor-server.ts
 */
import { hash } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type ServerResponse,
} from 'node:http';

const openSearch = new URL(process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200');
const index = process.env.INDEX ?? 'floor';
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function body(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
}

async function bulk(events: Array<{ id: string; company_id: string }>): Promise<number[]> {
  // Written into one Buffer, as the ingest app writes its `_bulk` bodies.
  const lines = new Array<string>(events.length * 2);
  let bytes = 0;
  events.forEach((event, i) => {
    const source = JSON.stringify(event);
    const digest = hash('sha256', source, 'hex');
    lines[2 * i] = `{"create":{"_index":"${index}","_id":"${event.company_id}:${event.id}"}}\n`;
    lines[2 * i + 1] = `${source.slice(0, -1)},"hash":"${digest}"}\n`;
  });
  for (const line of lines) bytes += Buffer.byteLength(line, 'utf8');
  const text = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const line of lines) offset += text.write(line, offset, 'utf8');
  const answer = await new Promise<Buffer>((done, fail) => {
    const call = httpRequest(
      {
        agent,
        host: openSearch.hostname,
        port: openSearch.port,
        method: 'POST',
        path: '/_bulk?filter_path=items.*.status',
        headers: { 'content-type': 'application/x-ndjson' },
      },
      (response) => void body(response).then(done, fail),
    );
    call.on('error', fail);
    call.end(text);
  });
  const { items } = JSON.parse(answer.toString('utf8')) as {
    items: Array<{ create: { status: number } }>;
  };
  return items.map((item) => item.create.status);
}

function reply(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const server = createServer((request, response) => {
  void body(request)
    .then(async (bytes) => {
      const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
      if (request.url !== '/v1/events/batch') {
        reply(response, 201, { id: (parsed as { id?: string }).id, status: 'created' });
        return;
      }
      const events = parsed as Array<{ id: string; company_id: string }>;
      const statuses = await bulk(events);
      reply(response, 200, {
        results: events.map((event, i) => ({
          index: i,
          id: event.id,
          status: statuses[i] === 201 ? 'created' : 'duplicate',
        })),
      });
    })
    .catch((error: unknown) => reply(response, 500, { error: String(error) }));
});
server.listen(Number(process.env.PORT ?? 3914), '127.0.0.1', () => {
  process.stdout.write('floor ready\n');
});
process.once('SIGTERM', () => {
  server.close();
  agent.destroy();
});
