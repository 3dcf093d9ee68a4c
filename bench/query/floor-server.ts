/**
 * The floor under any HTTP API in front of OpenSearch: a bare `node:http` server that sends
 * the benchmark's direct query for `acme` and answers the same page shape (100 events,
 * `next_cursor`, `total`), with no auth, validation, framework or logging. `bench/query/run.ts
 * --floor` starts it beside the query app: what it adds to the direct query is the cost of
 * one more hop and of parsing and serialising 100 events, which no implementation avoids.
 *
 *   PORT=3913 PREFIX=bench-q node --import tsx bench/query/floor-server.ts
 */
import { createServer } from 'node:http';
import { Client } from '@opensearch-project/opensearch';
import type { QueryParams } from '@auditlog/events';
import { directRequest } from './cases';

const client = new Client({ node: process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200' });
const prefix = process.env.PREFIX ?? '';

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://floor');
  const params = JSON.parse(url.searchParams.get('params') ?? '{}') as QueryParams;
  const after = url.searchParams.get('after');
  client
    .search(directRequest(prefix, params, after ? (JSON.parse(after) as string[]) : undefined))
    .then(({ body }) => {
      const hits = (body.hits.hits ?? []) as Array<{ _source: unknown }>;
      const text = JSON.stringify({
        data: hits.slice(0, 100).map((hit) => hit._source),
        next_cursor: null,
        total: body.hits.total,
      });
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    })
    .catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
});
server.listen(Number(process.env.PORT ?? 3913), '127.0.0.1', () => {
  process.stdout.write('floor ready\n');
});
process.once('SIGTERM', () => {
  server.close();
  void client.close();
});
