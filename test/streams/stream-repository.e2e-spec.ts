import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { loadConfig } from '@auditlog/config';
import { IndexNames, OpenSearchSetupService } from '@auditlog/opensearch';
import {
  type StoredStream,
  STREAMS_INDEX,
  StreamRepository,
  SecretKeyUnknownError,
} from '@auditlog/streams';
import { dropPrefix, testClient, testEnvironment } from '@auditlog/testing';

describe('StreamRepository over OpenSearch', () => {
  const keyA = randomBytes(32).toString('base64');
  const setup = testEnvironment('stream-repo', undefined, { STREAM_SECRETS_KEYS: `a:${keyA}` });
  const config = loadConfig('query', setup.env);
  const names = new IndexNames(setup.indexPrefix);
  let client: Client;
  let repository: StreamRepository;

  const newStream = (id: string): StoredStream => ({
    id,
    name: `stream ${id}`,
    company_id: 'acme',
    filters: {},
    ...repository.sealDestination(id, {
      type: 'splunk_hec',
      url: 'https://splunk.example.com:8088',
      token: 'plain-hec-token-0123',
    }),
    batch: { max_events: 500, max_wait_ms: 1000 },
    pause_after_failing_seconds: 3600,
    on_rejected: 'pause',
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    state: {
      status: 'active',
      cursor: null,
      start_at: new Date().toISOString(),
      delivered_events: 0,
      failed_attempts: 0,
      dead_lettered_batches: 0,
    },
  });

  beforeAll(async () => {
    if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
    client = testClient();
    await new OpenSearchSetupService(client, config, names, {}).ensureIndex(STREAMS_INDEX(names));
    repository = new StreamRepository(client, names, config);
  });

  afterAll(async () => {
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('stores the secrets sealed and decrypts them for the sender', async () => {
    const stream = newStream('s-1');
    expect(await repository.create(stream)).toBeDefined();
    expect(await repository.create(stream)).toBeUndefined();
    const { body } = await client.get({ index: names.streamsIndex, id: 's-1' });
    expect(JSON.stringify(body._source)).not.toContain('plain-hec-token-0123');
    expect(body._source).toMatchObject({
      destination: { type: 'splunk_hec', token_set: true },
      secrets: {
        kid: 'a',
        iv: expect.any(String),
        tag: expect.any(String),
        ct: expect.any(String),
      },
    });
    const read = await repository.get('s-1');
    expect(read && repository.decryptDestination(read.stream)).toEqual({
      type: 'splunk_hec',
      url: 'https://splunk.example.com:8088',
      token: 'plain-hec-token-0123',
    });
    expect((await repository.list()).map((each) => each.id)).toEqual(['s-1']);
  });

  it('moves the state by compare-and-set only', async () => {
    await repository.create(newStream('s-2'));
    const first = await repository.get('s-2');
    if (!first) throw new Error('s-2 is missing');
    const cursor = { indexed_at: Date.now(), company_id: 'acme', id: 'evt-1' };
    const moved = { ...first.stream.state, cursor, delivered_events: 10 };
    expect(await repository.compareAndSetState('s-2', first.version, moved)).toBe(true);
    // A second writer holding the old version loses and changes nothing.
    const paused = { ...first.stream.state, status: 'paused' as const, paused_reason: 'x' };
    expect(await repository.compareAndSetState('s-2', first.version, paused)).toBe(false);
    const after = await repository.get('s-2');
    expect(after?.stream.state).toEqual(moved);
    expect(after?.stream.name).toBe('stream s-2');
    // A state write leaves the definition alone; removed optional fields stay removed.
    const cleared = { ...moved, status: 'active' as const };
    delete (cleared as { paused_reason?: string }).paused_reason;
    expect(await repository.compareAndSetState('s-2', after!.version, cleared)).toBe(true);
    expect((await repository.get('s-2'))?.stream.state).not.toHaveProperty('paused_reason');
    expect(await repository.compareAndSetState('absent', first.version, moved)).toBe(false);
  });

  it('replaces and deletes only at the version read', async () => {
    await repository.create(newStream('s-3'));
    const read = await repository.get('s-3');
    if (!read) throw new Error('s-3 is missing');
    const renamed = { ...read.stream, name: 'renamed' };
    const next = await repository.replace(renamed, read.version);
    expect(next).toBeDefined();
    expect(
      await repository.replace({ ...read.stream, name: 'stale' }, read.version),
    ).toBeUndefined();
    expect(await repository.delete('s-3', read.version)).toBe(false);
    expect(await repository.delete('s-3', next!)).toBe(true);
    expect(await repository.get('s-3')).toBeUndefined();
  });

  it('decrypts after a key rotation and names a key that is gone', async () => {
    const read = await repository.get('s-1');
    if (!read) throw new Error('s-1 is missing');
    const rotated = new StreamRepository(
      client,
      names,
      loadConfig('query', {
        ...setup.env,
        STREAM_SECRETS_KEYS: `b:${randomBytes(32).toString('base64')},a:${keyA}`,
      }),
    );
    expect(rotated.decryptDestination(read.stream)).toMatchObject({
      token: 'plain-hec-token-0123',
    });
    expect(
      rotated.sealDestination('s-1', rotated.decryptDestination(read.stream)).secrets?.kid,
    ).toBe('b');
    const without = new StreamRepository(
      client,
      names,
      loadConfig('query', {
        ...setup.env,
        STREAM_SECRETS_KEYS: `b:${randomBytes(32).toString('base64')}`,
      }),
    );
    expect(() => without.decryptDestination(read.stream)).toThrow(SecretKeyUnknownError);
  });
});
