import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serializeOpenApi } from '@auditlog/platform';
import { buildExportOpenApi } from './openapi';

describe('docs/openapi/export.json', () => {
  it('matches the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../../docs/openapi/export.json'), 'utf8');
    const generated = serializeOpenApi(await buildExportOpenApi());
    expect(JSON.parse(generated)).toEqual(JSON.parse(committed));
    expect(generated).toBe(committed);
  });

  it('documents every endpoint of SPEC §6', async () => {
    const document = await buildExportOpenApi();
    expect(
      Object.keys(document.paths)
        .filter((path) => path.startsWith('/v1/'))
        .sort(),
    ).toEqual([
      '/v1/exports',
      '/v1/exports/stream',
      '/v1/exports/{id}',
      '/v1/exports/{id}/download',
      '/v1/session',
    ]);
    expect(Object.keys(document.paths['/v1/exports'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/v1/exports/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
  });
});
