import { Client } from '@opensearch-project/opensearch';

export function testClient(): Client {
  const url = process.env.OPENSEARCH_URL;
  if (!url) throw new Error('OPENSEARCH_URL is unset');
  // Several comma-separated nodes on the local cluster.
  return new Client({ nodes: url.split(',') });
}

/** Removes everything a suite created under its prefix. */
export async function dropPrefix(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({
    index: `${prefix}-*`,
    ignore_unavailable: true,
    expand_wildcards: 'all',
  });
  await client.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
}

/** Every stored document under a prefix, straight from OpenSearch. */
export async function storedDocuments<T>(
  client: Client,
  prefix: string,
  size = 10_000,
): Promise<T[]> {
  await client.indices.refresh({
    index: `${prefix}-*`,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  const { body } = await client.search({
    index: `${prefix}-events-*`,
    ignore_unavailable: true,
    allow_no_indices: true,
    body: { size, query: { match_all: {} } },
  });
  return (body.hits.hits as Array<{ _source: T }>).map((hit) => hit._source);
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 10_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
