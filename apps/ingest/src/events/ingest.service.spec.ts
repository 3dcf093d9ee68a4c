import type { AppConfig } from '@auditlog/config';
import { MetricsService } from '@auditlog/platform';
import { ProblemException } from '@auditlog/problem';
import { EventOutsideRetentionError, type IndexRouter } from '@auditlog/retention';
import { type WriteOutcome } from '@auditlog/opensearch';
import type { GroupCommitService } from './group-commit.service';
import { IngestService } from './ingest.service';

const config = { app: 'ingest', ingest: { maxFutureSkewMs: 300_000 } } as AppConfig;
const router = {
  writeRoutes: () =>
    Promise.resolve({
      indexFor: (companyId: string) => {
        if (companyId !== 'expired') return 'events';
        throw new EventOutsideRetentionError(companyId, '7d', '2026-01-01T00:00:00.000Z');
      },
    }),
} as unknown as IndexRouter;
const writer = {
  submit: (writes: unknown[]) =>
    Promise.resolve(writes.map((): WriteOutcome => ({ status: 'created' }))),
} as unknown as GroupCommitService;
const ingest = new IngestService(router, writer, config, new MetricsService(config));
const producer = { key: { id: 'k', sha256: 'x', companies: '*' as const } };
const event = (companyId: string) => ({
  company_id: companyId,
  action: 'flow.created',
  actor: { id: 'a' },
});

describe('IngestService with the index router', () => {
  it('turns an event outside retention into a 400 on timestamp', async () => {
    const failure = await ingest
      .ingestOne(event('expired'), producer)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProblemException);
    expect((failure as ProblemException).getStatus()).toBe(400);
    expect((failure as ProblemException).errors).toEqual([
      { path: 'timestamp', message: expect.stringMatching(/older than the 7d retention/) },
    ]);
  });

  it('rejects only that item in a batch', async () => {
    const { body } = await ingest.ingestBatch(
      [{ value: event('expired') }, { value: event('acme') }],
      producer,
    );
    expect(body).toMatchObject({ created: 1, rejected: 1 });
    expect(body.results[0]).toEqual({
      index: 0,
      status: 'rejected',
      errors: [{ path: 'timestamp', message: expect.stringMatching(/retention/) }],
    });
  });
});
