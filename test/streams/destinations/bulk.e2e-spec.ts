import { randomBytes } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import {
  entryOf,
  firstOf,
  freePort,
  sampleAuditEvent,
  sampleAuditEvents,
  testClient,
} from '@auditlog/testing';
import {
  type BulkDestination,
  createDestination,
  type Destination,
  ecsIndexTemplate,
} from '@auditlog/stream-destinations';

describe('opensearch_bulk destination against the real OpenSearch', () => {
  const prefix = `t-destinations-${randomBytes(3).toString('hex')}`;
  const index = `${prefix}-audit`;
  let client: Client;
  let destination: Destination;
  const config = (extra: Partial<BulkDestination> = {}): BulkDestination => ({
    type: 'opensearch_bulk',
    url: process.env.OPENSEARCH_URL ?? '',
    index,
    username: 'ignored',
    password: 'ignored-secret',
    ...extra,
  });

  beforeAll(async () => {
    client = testClient();
    await client.indices.putIndexTemplate({
      name: prefix,
      body: ecsIndexTemplate([`${prefix}-audit*`]),
    });
    destination = createDestination(config(), {
      timeoutMs: 10_000,
      hostname: 'appliance-1',
      productVersion: '9.9.9',
    });
  });
  afterAll(async () => {
    await destination.close();
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true });
    await client.indices.deleteIndexTemplate({ name: prefix });
  });

  async function documents(
    name: string,
  ): Promise<Array<{ _id: string; _source: Record<string, unknown> }>> {
    await client.indices.refresh({ index: name });
    const { body } = await client.search({
      index: name,
      body: { size: 1000, query: { match_all: {} }, sort: [{ '@timestamp': 'asc' }] },
    });
    return body.hits.hits as Array<{ _id: string; _source: Record<string, unknown> }>;
  }

  it('indexes ECS documents under <company_id>:<id>, and a redelivered batch is no duplicate', async () => {
    const events = sampleAuditEvents(200);
    await expect(destination.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    await expect(destination.deliver(events.slice(100))).resolves.toMatchObject({
      kind: 'delivered',
    });
    await expect(destination.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    const stored = await documents(index);
    expect(stored).toHaveLength(200);
    expect(stored.map((hit) => hit._id)).toEqual(events.map((event) => `acme:${event.id}`));
    const first = firstOf(events);
    expect(firstOf(stored)._source).toMatchObject({
      '@timestamp': first.timestamp,
      event: { id: first.id, action: 'user.login', outcome: 'success' },
      user: { id: 'u-1' },
      organization: { id: 'acme' },
      source: { ip: '203.0.113.7' },
      auditlog: { id: first.id, company_id: 'acme' },
    });
    const { body: mapping } = await client.indices.getMapping({ index });
    type Fields = Record<string, { type?: string; properties?: Fields }>;
    const properties = entryOf(
      mapping as Record<string, { mappings: { properties: Fields } }>,
      index,
      'index mapping',
    ).mappings.properties;
    const typeOf = (object: string, field: string): string | undefined =>
      entryOf(entryOf(properties, object).properties ?? {}, field).type;
    expect(typeOf('source', 'ip')).toBe('ip');
    expect(typeOf('event', 'action')).toBe('keyword');
    expect(typeOf('event', 'created')).toBe('date');
  });

  it('keeps the same event of two companies apart', async () => {
    const shared = sampleAuditEvent();
    await destination.deliver([shared, { ...shared, company_id: 'globex' }]);
    const stored = await documents(index);
    expect(stored.map((hit) => hit._id)).toEqual(
      expect.arrayContaining([`acme:${shared.id}`, `globex:${shared.id}`]),
    );
  });

  it('rejects a batch the target mapping refuses, naming the item', async () => {
    const strict = `${prefix}-strict`;
    await client.indices.create({
      index: strict,
      body: { mappings: { dynamic: 'strict', properties: { '@timestamp': { type: 'date' } } } },
    });
    const refusing = createDestination(config({ index: strict }), { timeoutMs: 10_000 });
    const events = sampleAuditEvents(3);
    const result = await refusing.deliver(events);
    await refusing.close();
    expect(result).toMatchObject({
      kind: 'rejected',
      status: 400,
      error: expect.stringContaining(
        `3 item(s) failed; acme:${firstOf(events).id}: 400 strict_dynamic_mapping_exception`,
      ),
    });
    expect(JSON.stringify(result)).not.toContain('ignored-secret');
  });

  it('retries while the target index is read-only, then delivers', async () => {
    const blocked = `${prefix}-blocked`;
    await client.indices.create({ index: blocked });
    await client.indices.putSettings({ index: blocked, body: { 'index.blocks.write': true } });
    const sender = createDestination(config({ index: blocked }), { timeoutMs: 10_000 });
    const events = sampleAuditEvents(5);
    const result = await sender.deliver(events);
    expect(result).toMatchObject({
      kind: 'retry',
      status: 403,
      error: expect.stringContaining('cluster_block_exception'),
    });
    await client.indices.putSettings({ index: blocked, body: { 'index.blocks.write': false } });
    await expect(sender.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    await sender.close();
    expect(await documents(blocked)).toHaveLength(5);
  });

  it('retries when the cluster is unreachable', async () => {
    const down = createDestination(config({ url: `http://127.0.0.1:${await freePort()}` }), {
      timeoutMs: 2000,
    });
    const result = await down.deliver(sampleAuditEvents(1));
    await down.close();
    expect(result).toMatchObject({ kind: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });
});
