import type { Client } from '@opensearch-project/opensearch';
import { loadConfig } from '@auditlog/config';
import { IndexNames } from '@auditlog/opensearch';
import { retentionPolicy } from './ism-policy';
import { IsmService } from './ism.service';

const config = loadConfig('setup', {
  RETENTION_READ_ONLY_AFTER_DAYS: '2',
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  RETENTION_CLASSES: '7d',
  DEFAULT_RETENTION_CLASS: '7d',
});
const names = new IndexNames('auditlog');
const wanted = retentionPolicy(names, { name: '7d', days: 7 }, 2);

interface Call {
  method: string;
  path: string;
  querystring?: Record<string, unknown>;
}

/** A scripted ISM endpoint: answers GET/PUT on the policy from a queue of responses. */
function fakeCluster(
  responses: Array<{ statusCode: number; body?: unknown }>,
  plugins: string[] = [],
) {
  const calls: Call[] = [];
  const client = {
    cat: {
      plugins: () => Promise.resolve({ body: plugins.map((component) => ({ component })) }),
    },
    transport: {
      request: (params: Call) => {
        calls.push({ method: params.method, path: params.path, querystring: params.querystring });
        if (params.path.startsWith('/_plugins/_ism/add/'))
          return Promise.resolve({ statusCode: 200, body: {} });
        const next = responses.shift();
        if (!next) throw new Error(`unexpected ${params.method} ${params.path}`);
        return Promise.resolve(next);
      },
    },
  } as unknown as Client;
  return { service: new IsmService(client, names, config), calls };
}

const stored = (policy: unknown) => ({
  statusCode: 200,
  body: { _seq_no: 4, _primary_term: 1, policy },
});

describe('IsmService', () => {
  it('detects the plugin from _cat/plugins', async () => {
    await expect(
      fakeCluster([], ['opensearch-index-management']).service.available(),
    ).resolves.toBe(true);
    await expect(fakeCluster([], ['opensearch-security']).service.available()).resolves.toBe(false);
  });

  it('creates a missing policy, then attaches it to existing indices of its class', async () => {
    const { service, calls } = fakeCluster([{ statusCode: 404 }, { statusCode: 201 }]);
    await service.ensurePolicies();
    expect(calls).toEqual([
      {
        method: 'GET',
        path: '/_plugins/_ism/policies/auditlog-retention-7d',
        querystring: undefined,
      },
      {
        method: 'PUT',
        path: '/_plugins/_ism/policies/auditlog-retention-7d',
        querystring: undefined,
      },
      { method: 'POST', path: '/_plugins/_ism/add/auditlog-events-7d-*', querystring: undefined },
    ]);
  });

  it('leaves an identical policy alone', async () => {
    const { service, calls } = fakeCluster([stored({ ...wanted.policy, policy_id: 'x' })]);
    await service.ensurePolicies();
    expect(calls.map((call) => call.method)).toEqual(['GET', 'POST']);
  });

  it('updates a different policy with optimistic concurrency and retries on a conflict', async () => {
    const outdated = retentionPolicy(names, { name: '7d', days: 7 }, 5).policy;
    const { service, calls } = fakeCluster([
      stored(outdated),
      { statusCode: 409 },
      // Another replica won the race with the wanted content.
      stored(wanted.policy),
    ]);
    await service.ensurePolicies();
    expect(calls.map((call) => call.method)).toEqual(['GET', 'PUT', 'GET', 'POST']);
    expect(calls[1]?.querystring).toEqual({ if_seq_no: 4, if_primary_term: 1 });
  });
});
