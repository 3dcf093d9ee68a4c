import type { AppConfig } from '@auditlog/config';
import type { StoredEvent } from '@auditlog/events';
import { MetricsService } from '@auditlog/platform';
import {
  type EventRepository,
  type EventWrite,
  StorageUnavailableError,
  type WriteOutcome,
} from '@auditlog/opensearch';
import { GroupCommitService, QueueFullError } from './group-commit.service';

type Bulk = (writes: readonly EventWrite[]) => Promise<WriteOutcome[]>;

function service(bulk: Bulk, bulkLimits: Partial<AppConfig['ingest']['bulk']> = {}) {
  const config = {
    app: 'ingest',
    ingest: {
      bulk: {
        maxEvents: 100,
        maxBytes: 1024 * 1024,
        lingerMs: 5,
        concurrency: 1,
        queueMaxBytes: 1024 * 1024,
        ...bulkLimits,
      },
    },
  } as AppConfig;
  const calls: string[][] = [];
  const repository = {
    bulkCreate: (writes: readonly EventWrite[]) => {
      calls.push(writes.map((write) => write.id));
      return bulk(writes);
    },
  } as unknown as EventRepository;
  return { writer: new GroupCommitService(repository, config, new MetricsService(config)), calls };
}

const write = (id: string, size = 10): EventWrite => ({
  index: 'events',
  id,
  document: { id, details: { pad: 'x'.repeat(size) } } as unknown as StoredEvent,
});

describe('GroupCommitService', () => {
  it('coalesces concurrent submissions into one _bulk and answers each with its own items', async () => {
    const { writer, calls } = service((writes) =>
      Promise.resolve(writes.map((w) => ({ status: w.id === 'b' ? 'duplicate' : 'created' }))),
    );
    const [first, second] = await Promise.all([
      writer.submit([write('a')]),
      writer.submit([write('b'), write('c')]),
    ]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(first).toEqual([{ status: 'created' }]);
    expect(second).toEqual([{ status: 'duplicate' }, { status: 'created' }]);
  });

  it('splits by event count', async () => {
    const { writer, calls } = service(
      (writes) => Promise.resolve(writes.map(() => ({ status: 'created' }))),
      { maxEvents: 2 },
    );
    await writer.submit([write('a'), write('b'), write('c')]);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('retries retryable items only, then reports them', async () => {
    const { writer, calls } = service((writes) =>
      Promise.resolve(
        writes.map((w) =>
          w.id === 'busy'
            ? ({ status: 'failed', retryable: true, reason: 'es_rejected_execution' } as const)
            : ({ status: 'created' } as const),
        ),
      ),
    );
    const outcomes = await writer.submit([write('ok'), write('busy')]);
    expect(outcomes).toEqual([
      { status: 'created' },
      { status: 'failed', retryable: true, reason: 'es_rejected_execution' },
    ]);
    expect(calls).toEqual([['ok', 'busy'], ['busy'], ['busy'], ['busy']]);
  });

  it('stores an item whose retry succeeds', async () => {
    let attempt = 0;
    const { writer } = service((writes) => {
      attempt += 1;
      if (attempt === 1) return Promise.reject(new StorageUnavailableError('refused'));
      return Promise.resolve(writes.map(() => ({ status: 'created' })));
    });
    expect(await writer.submit([write('a')])).toEqual([{ status: 'created' }]);
  });

  it('refuses work beyond the queue cap with QueueFullError, and at once after an outage', async () => {
    let release: () => void = () => undefined;
    const { writer } = service(
      (writes) =>
        new Promise((resolve) => {
          release = () => resolve(writes.map(() => ({ status: 'created' })));
        }),
      { queueMaxBytes: 2048, lingerMs: 0 },
    );
    const pending = writer.submit([write('a', 1500)]);
    expect(() => writer.submit([write('b', 1500)])).toThrow(QueueFullError);
    release();
    await pending;

    const down = service(() => Promise.reject(new StorageUnavailableError('refused')), {
      lingerMs: 0,
    }).writer;
    const [outcome] = await down.submit([write('x')]);
    expect(outcome).toBeInstanceOf(StorageUnavailableError);
    expect(() => down.submit([write('y')])).toThrow(StorageUnavailableError);
  });
});
