import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildIngestOpenApi, serializeOpenApi } from './openapi';

describe('docs/openapi/ingest.json', () => {
  it('matches the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../../docs/openapi/ingest.json'), 'utf8');
    const generated = serializeOpenApi(await buildIngestOpenApi());
    expect(JSON.parse(generated)).toEqual(JSON.parse(committed));
    expect(generated).toBe(committed);
  });

  it('documents every route, both batch content types and the ingest-key scheme', async () => {
    const document = await buildIngestOpenApi();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events',
        '/v1/events/batch',
        '/v1/catalog/actions/{action}',
        '/v1/schema/event',
      ]),
    );
    const batch = document.paths['/v1/events/batch']?.post;
    expect(
      Object.keys(
        batch?.requestBody && 'content' in batch.requestBody ? batch.requestBody.content : {},
      ),
    ).toEqual(['application/json', 'application/x-ndjson']);
    expect(Object.keys(batch?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '207', '400', '401', '413', '503']),
    );
    expect(document.components?.securitySchemes).toHaveProperty('ingest-key');
  });
});
