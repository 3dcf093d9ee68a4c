/**
 * The floor under any HTTP ingest API on Node.js: a bare `node:http` server that reads each
 * request's body, parses it and answers 201 with the event's id, as `POST /v1/events` does,
 * with no authentication, validation, storage, framework or logging. `request-cost.ts
 * --floor` measures its CPU per request beside the ingest app's: what no implementation
 * of the API on Node.js can go below.
 *
 *   PORT=3914 node --import tsx bench/ingest/floor-server.ts
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string };
    const text = JSON.stringify({ id: event.id, status: 'created' });
    response.writeHead(201, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  });
});
server.listen(Number(process.env.PORT ?? 3914), '127.0.0.1', () => {
  process.stdout.write('floor ready\n');
});
process.once('SIGTERM', () => server.close());
