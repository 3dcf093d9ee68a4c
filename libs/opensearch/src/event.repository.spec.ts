import type { Client } from '@opensearch-project/opensearch';
import type { AppConfig } from '@auditlog/config';
import type { StoredEvent } from '@auditlog/events';
import { EventRepository } from './event.repository';

/** A client that answers `_bulk` with the given items and keeps the request it got. */
function stubClient(items: unknown[]) {
  const requests: Array<Record<string, unknown>> = [];
  const client = {
    bulk: (request: Record<string, unknown>) => {
      requests.push(request);
      return Promise.resolve({ body: { items } });
    },
  } as unknown as Client;
  return { client, requests };
}

const config = (writeCopies: number) => ({ opensearch: { writeCopies } }) as AppConfig;
const write = (id: string) => ({ index: 'i', id, document: { id } as StoredEvent });

describe('EventRepository write copies', () => {
  it('asks for the configured active copies, with a short timeout', async () => {
    const { client, requests } = stubClient([{ create: { status: 201 } }]);
    await new EventRepository(client, config(2)).bulkCreate([write('a')]);
    expect(requests).toEqual([
      expect.objectContaining({
        wait_for_active_shards: '2',
        timeout: '5s',
        filter_path: expect.stringContaining('items.*._shards.successful') as unknown,
      }),
    ]);
  });

  it('does not acknowledge a write that reached fewer copies than required', async () => {
    const { client } = stubClient([
      { create: { status: 201, _shards: { successful: 2 } } },
      { create: { status: 201, _shards: { successful: 1 } } },
      { create: { status: 409 } },
      { create: { status: 503, error: { type: 'unavailable_shards_exception', reason: 'x' } } },
    ]);
    const outcomes = await new EventRepository(client, config(2)).bulkCreate(
      ['a', 'b', 'c', 'd'].map(write),
    );
    expect(outcomes).toEqual([
      { status: 'created' },
      { status: 'failed', retryable: true, reason: 'stored on 1 of the 2 shard copies required' },
      { status: 'duplicate' },
      { status: 'failed', retryable: true, reason: 'unavailable_shards_exception: x' },
    ]);
  });

  it('on one node one copy is enough', async () => {
    const { client } = stubClient([{ create: { status: 201, _shards: { successful: 1 } } }]);
    expect(await new EventRepository(client, config(1)).bulkCreate([write('a')])).toEqual([
      { status: 'created' },
    ]);
  });
});

describe('EventRepository _bulk body', () => {
  it('is one NDJSON buffer: an action line and the stamped source per write', async () => {
    const { client, requests } = stubClient([
      { create: { status: 201 } },
      { create: { status: 201 } },
    ]);
    await new EventRepository(client, config(1)).bulkCreate([
      { index: 'i', id: 'acme:a', source: '{"id":"a","ingest":{"key_id":"k"}}' },
      write('b'),
    ]);
    const body = requests[0]?.body;
    expect(Buffer.isBuffer(body)).toBe(true);
    const lines = (body as Buffer).toString('utf8').split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual({ create: { _index: 'i', _id: 'acme:a' } });
    expect(JSON.parse(lines[1] ?? '')).toEqual({
      id: 'a',
      ingest: { key_id: 'k', indexed_at: expect.any(String) as unknown },
    });
    expect(JSON.parse(lines[2] ?? '')).toEqual({ create: { _index: 'i', _id: 'b' } });
    expect(JSON.parse(lines[3] ?? '')).toEqual({
      id: 'b',
      ingest: { indexed_at: expect.any(String) as unknown },
    });
  });
});
