/** `npm run openapi`: regenerates docs/openapi/{ingest,query,export}.json from the apps' code. */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { serializeOpenApi } from '@auditlog/platform';
import { buildExportOpenApi } from '../apps/export/src/openapi';
import { buildIngestOpenApi } from '../apps/ingest/src/openapi';
import { buildQueryOpenApi } from '../apps/query/src/openapi';

/** Run from the repository root (npm run openapi). */
const DOCUMENTS: Array<[string, () => Promise<OpenAPIObject>]> = [
  ['docs/openapi/ingest.json', buildIngestOpenApi],
  ['docs/openapi/query.json', buildQueryOpenApi],
  ['docs/openapi/export.json', buildExportOpenApi],
];

async function main(): Promise<void> {
  for (const [file, build] of DOCUMENTS) {
    const path = resolve(file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, serializeOpenApi(await build()));
    process.stdout.write(`wrote ${path}\n`);
  }
}

void main();
