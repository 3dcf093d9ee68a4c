import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildQueryOpenApi, serializeOpenApi } from './openapi';

describe('docs/openapi/query.json', () => {
  it('matches the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../../docs/openapi/query.json'), 'utf8');
    const generated = serializeOpenApi(await buildQueryOpenApi());
    expect(JSON.parse(generated)).toEqual(JSON.parse(committed));
    expect(generated).toBe(committed);
  });

  it('documents every endpoint and filter of the query API', async () => {
    const document = await buildQueryOpenApi();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events',
        '/v1/events/{id}',
        '/v1/events/histogram',
        '/v1/events/facets',
        '/v1/catalog',
        '/v1/admin/companies',
        '/v1/session',
        '/v1/viewer-tokens',
        '/v1/viewer-sessions',
      ]),
    );
    const names = (document.paths['/v1/events']?.get?.parameters ?? []).map((parameter) =>
      'name' in parameter ? parameter.name : '',
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'from',
        'to',
        'action',
        'ancestor',
        'source_ip',
        'context',
        'q',
        'sort',
        'limit',
        'cursor',
      ]),
    );
  });
});
