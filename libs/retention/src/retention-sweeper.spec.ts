import { type AppConfig, loadConfig } from '@auditlog/config';
import type { Client } from '@opensearch-project/opensearch';
import { type EventIndexCatalog, type EventIndexInfo, IndexNames } from '@auditlog/opensearch';
import { RetentionSweeper } from './retention-sweeper';

const config: AppConfig = loadConfig('query', {
  RETENTION_READ_ONLY_AFTER_DAYS: '2',
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWT_SECRET: 's'.repeat(32),
  RETENTION_CLASSES: '1d,7d,1y',
  DEFAULT_RETENTION_CLASS: '7d',
});
const names = new IndexNames('auditlog');
const sweeper = new RetentionSweeper({} as Client, config, {} as EventIndexCatalog);

function index(name: string, readOnly = false): EventIndexInfo {
  const parsed = names.parseEventsIndex(name);
  if (!parsed) throw new Error(name);
  return { ...parsed, index: name, docs: 1, sizeBytes: 1, createdAt: parsed.start, readOnly };
}

describe('RetentionSweeper.plan', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('deletes only indices whose whole period is past retention', () => {
    const plan = sweeper.plan(
      [
        index('auditlog-events-1d-2026.11.21'),
        index('auditlog-events-1d-2026.11.22'),
        index('auditlog-events-7d-2026.11.15'),
        index('auditlog-events-7d-2026.11.16'),
        index('auditlog-events-1y-2025.10'),
        index('auditlog-events-1y-2025.11'),
        index('auditlog-events-30d-2020.01.01'),
      ],
      now,
    );
    expect(plan.delete.map((entry) => entry.index)).toEqual([
      'auditlog-events-1d-2026.11.21',
      'auditlog-events-7d-2026.11.15',
      'auditlog-events-1y-2025.10',
    ]);
  });

  it('write-blocks closed indices that are not read-only yet', () => {
    const plan = sweeper.plan(
      [
        index('auditlog-events-7d-2026.11.20'),
        index('auditlog-events-7d-2026.11.19', true),
        index('auditlog-events-7d-2026.11.21'),
        index('auditlog-events-1y-2026.10'),
        index('auditlog-events-1y-2026.11'),
      ],
      now,
    );
    expect(plan.readOnly.map((entry) => entry.index)).toEqual([
      'auditlog-events-7d-2026.11.20',
      'auditlog-events-1y-2026.10',
    ]);
    expect(plan.delete).toEqual([]);
  });
});
