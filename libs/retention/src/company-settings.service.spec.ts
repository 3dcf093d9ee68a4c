import { type Client, errors } from '@opensearch-project/opensearch';
import { type AppConfig, loadConfig } from '@auditlog/config';
import { CompanySettingsService } from './company-settings.service';
import { IndexNames, StorageUnavailableError } from '@auditlog/opensearch';

const config: AppConfig = loadConfig('ingest', {
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  INGEST_API_KEYS: `k:${'a'.repeat(64)}:*`,
});

function serviceFailingWith(error: Error): {
  service: CompanySettingsService;
  calls: () => number;
} {
  let calls = 0;
  const client = {
    get: () => {
      calls += 1;
      return Promise.reject(error);
    },
  } as unknown as Client;
  return {
    service: new CompanySettingsService(client, new IndexNames('t'), config),
    calls: () => calls,
  };
}

describe('CompanySettingsService.cached when OpenSearch fails the lookup', () => {
  it.each([
    ['down', new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200', {} as never)],
    ['timing out', new errors.TimeoutError('Request timed out', {} as never)],
    [
      'recovering shards (503)',
      new errors.ResponseError({
        body: { error: { type: 'no_shard_available_action_exception' } },
        statusCode: 503,
        headers: {},
        meta: {} as never,
        warnings: null,
      }),
    ],
  ])('reports storage unavailable when OpenSearch is %s, and caches nothing', async (_, error) => {
    const { service, calls } = serviceFailingWith(error);
    await expect(service.cached('acme')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(service.cached('acme')).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(calls()).toBe(2);
  });

  it('lets a programming error through unchanged', async () => {
    const { service } = serviceFailingWith(new TypeError('boom'));
    await expect(service.cached('acme')).rejects.toBeInstanceOf(TypeError);
  });
});
