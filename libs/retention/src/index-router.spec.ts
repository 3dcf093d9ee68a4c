import { type AppConfig, loadConfig } from '@auditlog/config';
import type { CompanySettings, CompanySettingsService } from './company-settings.service';
import { IndexNames } from '@auditlog/opensearch';
import { IndexRouter } from './index-router';
import { EventOutsideRetentionError, EventOutsideWritableWindowError } from './retention.errors';

const config: AppConfig = loadConfig('query', {
  RETENTION_READ_ONLY_AFTER_DAYS: '2',
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWT_SECRET: 's'.repeat(32),
});

function routerWith(
  classes: Record<string, { name: string; days: number }>,
  lookups: string[] = [],
): IndexRouter {
  const companies = {
    cached: (companyId: string): Promise<CompanySettings> => {
      lookups.push(companyId);
      const retention = classes[companyId];
      if (retention === undefined) throw new Error(`no retention class for ${companyId}`);
      return Promise.resolve({
        company_id: companyId,
        retention_class: retention.name,
        retention_days: retention.days,
        explicit: true,
        updated_at: null,
        updated_by: null,
      });
    },
  } as unknown as CompanySettingsService;
  return new IndexRouter(new IndexNames('auditlog'), config, companies);
}

describe('IndexRouter.writeIndexFor', () => {
  const router = routerWith({
    short: { name: '7d', days: 7 },
    business: { name: '90d', days: 90 },
    enterprise: { name: '2y', days: 730 },
  });
  const now = new Date('2026-11-23T12:00:00Z');

  it('routes each company to the index of its class and period', async () => {
    await expect(router.writeIndexFor('business', '2026-11-23T11:00:00Z', now)).resolves.toBe(
      'auditlog-events-90d-2026.11.23',
    );
    await expect(router.writeIndexFor('enterprise', '2026-11-23T11:00:00Z', now)).resolves.toBe(
      'auditlog-events-2y-2026.11',
    );
  });

  it('accepts late events while their index still takes writes', async () => {
    // Read-only after 2 days: the index of 2026-11-21 closes at 2026-11-24T00:00Z.
    await expect(router.writeIndexFor('business', '2026-11-21T00:00:00Z', now)).resolves.toBe(
      'auditlog-events-90d-2026.11.21',
    );
    await expect(router.writeIndexFor('enterprise', '2026-11-01T00:00:00Z', now)).resolves.toBe(
      'auditlog-events-2y-2026.11',
    );
  });

  it('rejects events older than the retention of the company', async () => {
    const rejection = router.writeIndexFor('short', '2026-11-16T11:59:59Z', now);
    await expect(rejection).rejects.toBeInstanceOf(EventOutsideRetentionError);
    await expect(rejection).rejects.not.toBeInstanceOf(EventOutsideWritableWindowError);
    await expect(rejection).rejects.toMatchObject({
      companyId: 'short',
      retentionClass: '7d',
      oldestAllowed: '2026-11-16T12:00:00.000Z',
    });
  });

  it('rejects events whose index is already read-only, as a retention error subclass', async () => {
    const rejection = router.writeIndexFor('business', '2026-11-20T23:59:59Z', now);
    await expect(rejection).rejects.toBeInstanceOf(EventOutsideWritableWindowError);
    await expect(rejection).rejects.toBeInstanceOf(EventOutsideRetentionError);
    await expect(rejection).rejects.toMatchObject({ oldestAllowed: '2026-11-21T00:00:00.000Z' });
    await expect(
      router.writeIndexFor('enterprise', '2026-10-31T23:59:59Z', now),
    ).rejects.toBeInstanceOf(EventOutsideWritableWindowError);
  });
});

describe('IndexRouter.readIndicesFor', () => {
  const router = routerWith({});

  it('names each day and the month of a short range, across all classes', () => {
    expect(router.readIndicesFor('2026-11-22T10:00:00.000Z', '2026-11-23T10:00:00.000Z')).toEqual([
      'auditlog-events-*-2026.11.22',
      'auditlog-events-*-2026.11.23',
      'auditlog-events-*-2026.11',
    ]);
  });

  it('treats `to` as exclusive', () => {
    expect(router.readIndicesFor('2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')).toEqual([
      'auditlog-events-*-2026.11.22',
      'auditlog-events-*-2026.11',
    ]);
  });

  it('crosses month and year boundaries', () => {
    expect(router.readIndicesFor('2026-12-31T22:00:00.000Z', '2027-01-01T02:00:00.000Z')).toEqual([
      'auditlog-events-*-2026.12.31',
      'auditlog-events-*-2027.01.01',
      'auditlog-events-*-2026.12',
      'auditlog-events-*-2027.01',
    ]);
  });

  it('uses whole months for longer ranges', () => {
    expect(router.readIndicesFor('2026-08-25T00:00:00.000Z', '2026-11-23T00:00:00.000Z')).toEqual([
      'auditlog-events-*-2026.08*',
      'auditlog-events-*-2026.09*',
      'auditlog-events-*-2026.10*',
      'auditlog-events-*-2026.11*',
    ]);
  });

  it('falls back to every events index for very long or invalid ranges', () => {
    expect(router.readIndicesFor('2023-01-01T00:00:00.000Z', '2026-11-23T00:00:00.000Z')).toEqual([
      'auditlog-events-*',
    ]);
    expect(router.readIndicesFor('garbage', '2026-11-23T00:00:00.000Z')).toEqual([
      'auditlog-events-*',
    ]);
  });

  it('keeps the request line short for the longest allowed range', () => {
    const patterns = router.readIndicesFor('2025-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z');
    expect(patterns).toHaveLength(13);
    expect(patterns.join(',').length).toBeLessThan(1024);
    const twoWeeks = router.readIndicesFor('2026-11-09T00:00:00.000Z', '2026-11-23T00:00:00.000Z');
    expect(twoWeeks.join(',').length).toBeLessThan(1024);
  });
});

describe('IndexRouter.writeRoutes', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('looks each company up once and routes all of its events', async () => {
    const lookups: string[] = [];
    const router = routerWith(
      { business: { name: '90d', days: 90 }, enterprise: { name: '2y', days: 730 } },
      lookups,
    );
    const routes = await router.writeRoutes(
      ['business', 'enterprise', 'business', 'enterprise'],
      now,
    );
    expect(lookups).toEqual(['business', 'enterprise']);
    const at = (iso: string): number => Date.parse(iso);
    expect(
      [
        ['business', '2026-11-23T11:00:00Z'],
        ['business', '2026-11-22T23:59:59.999Z'],
        ['business', '2026-11-23T00:00:00Z'],
        ['enterprise', '2026-11-02T00:00:00Z'],
        ['enterprise', '2026-11-23T11:00:00Z'],
      ].map(([company, time]) => routes.indexFor(company as string, at(time as string))),
    ).toEqual([
      'auditlog-events-90d-2026.11.23',
      'auditlog-events-90d-2026.11.22',
      'auditlog-events-90d-2026.11.23',
      'auditlog-events-2y-2026.11',
      'auditlog-events-2y-2026.11',
    ]);
    expect(() => routes.indexFor('business', at('2026-11-20T23:59:59Z'))).toThrow(
      EventOutsideWritableWindowError,
    );
    expect(() => routes.indexFor('unknown', at('2026-11-23T11:00:00Z'))).toThrow(/no write route/);
  });
});
