import type { EventRepository, EventWrite, WriteOutcome } from '@auditlog/opensearch';
import type { IndexRouter } from '@auditlog/retention';
import { SelfAuditService } from './self-audit.service';

function service(outcomes: Array<WriteOutcome | Error>) {
  const writes: EventWrite[] = [];
  const events = {
    bulkCreate: (batch: EventWrite[]) => {
      writes.push(...batch);
      const next = outcomes.shift() ?? { status: 'created' };
      return next instanceof Error ? Promise.reject(next) : Promise.resolve([next]);
    },
  } as unknown as EventRepository;
  const router = {
    writeIndexFor: () => Promise.resolve('t-events-90d-2026.12.01'),
  } as unknown as IndexRouter;
  return { audit: new SelfAuditService(events, router), writes };
}

const entry = {
  companyId: 'acme',
  action: 'audit_log.exported',
  actor: { id: 'u-1', type: 'user' as const },
};

describe('SelfAuditService', () => {
  it('retries a passing refusal with the same document until it is stored', async () => {
    const { audit, writes } = service([
      { status: 'failed', retryable: true, reason: 'unavailable_shards_exception' },
      new Error('connect ECONNRESET'),
    ]);
    await audit.record(entry);
    expect(writes).toHaveLength(3);
    expect(new Set(writes.map((write) => write.id)).size).toBe(1);
  });

  it('gives up at once on a refusal that a retry cannot cure', async () => {
    const { audit, writes } = service([
      { status: 'failed', retryable: false, reason: 'mapper_parsing_exception' },
    ]);
    await audit.record(entry);
    expect(writes).toHaveLength(1);
  });
});
