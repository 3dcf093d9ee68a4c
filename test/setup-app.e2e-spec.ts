import type { Client } from '@opensearch-project/opensearch';
import { loadConfig } from '@auditlog/config';
import { dropPrefix, testClient, testEnvironment } from '@auditlog/testing';
import { runSetup } from '../apps/setup/src/run-setup';

describe('one-shot setup entry point', () => {
  const setup = testEnvironment('setup-app');
  let client: Client;

  beforeAll(() => {
    client = testClient();
  });

  afterAll(async () => {
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('prepares storage and answers 0, again on a second run', async () => {
    const config = loadConfig('setup', setup.env);
    await expect(runSetup(config)).resolves.toBe(0);
    await expect(runSetup(config)).resolves.toBe(0);
    const { body: template } = await client.indices.existsIndexTemplate({
      name: `${setup.indexPrefix}-events`,
    });
    expect(template).toBe(true);
    const { body: alias } = await client.indices.existsAlias({
      name: `${setup.indexPrefix}-companies`,
    });
    expect(alias).toBe(true);
  });

  it('answers 1 when OpenSearch is unreachable', async () => {
    const config = loadConfig('setup', { ...setup.env, OPENSEARCH_URL: 'http://127.0.0.1:9' });
    await expect(runSetup(config)).resolves.toBe(1);
  });
});
