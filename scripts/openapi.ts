/** `npm run openapi`: regenerates docs/openapi/query.json from the query API's code. */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildQueryOpenApi, serializeOpenApi } from '../apps/query/src/openapi';

/** Run from the repository root (npm run openapi). */
export const QUERY_OPENAPI_FILE = resolve('docs/openapi/query.json');

async function main(): Promise<void> {
  const document = await buildQueryOpenApi();
  mkdirSync(dirname(QUERY_OPENAPI_FILE), { recursive: true });
  writeFileSync(QUERY_OPENAPI_FILE, serializeOpenApi(document));
  process.stdout.write(`wrote ${QUERY_OPENAPI_FILE}\n`);
}

void main();
