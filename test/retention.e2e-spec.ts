import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import {
  EventOutsideRetentionError,
  EventOutsideWritableWindowError,
  IndexRouter,
} from '@auditlog/retention';
import { IndexNames } from '@auditlog/opensearch';
import {
  adminToken,
  daysAgo,
  dropPrefix,
  ownerToken,
  seedIndex,
  storedEventDocument,
  startApp,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { IngestModule } from '../apps/ingest/src/ingest.module';
import { QueryModule } from '../apps/query/src/query.module';
import type { SweepRun } from '../apps/maintenance/src/retention/retention-sweep.job';
import { MaintenanceQueue } from '../apps/maintenance/src/maintenance-queue.service';
import { MaintenanceJob, metricsOf, runJob, startMaintenance } from './maintenance/support';

const ismExpected = process.env.AUDITLOG_ISM_AVAILABLE === 'true';

describe('retention classes, routing and the sweeper', () => {
  const setup = testEnvironment('retention', [{ id: 'producer', companies: '*' }], {
    RETENTION_CLASSES: '1d,7d,90d,1y',
    DEFAULT_RETENTION_CLASS: '7d',
    COMPANY_SETTINGS_CACHE_SECONDS: '1',
    RETENTION_READ_ONLY_AFTER_DAYS: '2',
  });
  const names = new IndexNames(setup.indexPrefix);
  const admin = (): string => `Bearer ${adminToken(setup.jwtSecret)}`;
  let query: INestApplication;
  let ingest: INestApplication;
  let client: Client;

  beforeAll(async () => {
    client = testClient();
    query = await startApp('query', QueryModule, setup.env);
    ingest = await startApp('ingest', IngestModule, setup.env);
  });

  afterAll(async () => {
    await ingest?.close();
    await query?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  describe('admin API for company settings', () => {
    it.each([
      ['no token', undefined, 401],
      ['a company owner', ownerToken(setup.jwtSecret, 'acme'), 403],
    ])('refuses %s', async (_case, token, status) => {
      for (const call of [
        request(query.getHttpServer()).get('/v1/admin/companies/acme'),
        request(query.getHttpServer())
          .put('/v1/admin/companies/acme')
          .send({ retention_class: '1y' }),
        request(query.getHttpServer()).get('/v1/admin/storage'),
      ]) {
        if (token) call.set('Authorization', `Bearer ${token}`);
        const response = await call.expect(status);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
      const settings = await request(query.getHttpServer())
        .get('/v1/admin/companies/acme')
        .set('Authorization', admin())
        .expect(200);
      expect(settings.body.retention_class).toBe('7d');
    });

    it.each([
      ['an unknown class', { retention_class: '5y' }, 'retention_class'],
      ['a number', { retention_class: 365 }, 'retention_class'],
      ['an unknown field', { retention_class: '1y', owner: 'x' }, 'owner'],
      ['an empty body', {}, 'retention_class'],
    ])('answers 400 for %s and changes nothing', async (_case, body, path) => {
      const response = await request(query.getHttpServer())
        .put('/v1/admin/companies/initech')
        .set('Authorization', admin())
        .send(body)
        .expect(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
      const settings = await request(query.getHttpServer())
        .get('/v1/admin/companies/initech')
        .set('Authorization', admin())
        .expect(200);
      expect(settings.body).toMatchObject({ retention_class: '7d', explicit: false });
    });

    it('answers 400 for an invalid company id', async () => {
      await request(query.getHttpServer())
        .get('/v1/admin/companies/bad%20id')
        .set('Authorization', admin())
        .expect(400);
    });
  });

  it('routes events to the class of their company; a changed class keeps older events readable', async () => {
    const key = setup.keys.producer.secret;
    const send = (id: string) =>
      request(ingest.getHttpServer())
        .post('/v1/events')
        .set('Authorization', `Bearer ${key}`)
        .send({
          id,
          timestamp: new Date().toISOString(),
          company_id: 'umbrella',
          action: 'flow.created',
          actor: { id: 'alice' },
        })
        .expect(201);
    await send('before-change');

    const updated = await request(query.getHttpServer())
      .put('/v1/admin/companies/umbrella')
      .set('Authorization', admin())
      .send({ retention_class: '1y' })
      .expect(200);
    expect(updated.body).toMatchObject({
      company_id: 'umbrella',
      retention_class: '1y',
      retention_days: 365,
      explicit: true,
      updated_by: 'admin',
    });
    const monthly = names.eventsIndex('1y', new Date());
    // Same process: at once. Another process (ingest): within its cache window.
    await expect(
      query.get(IndexRouter).writeIndexFor('umbrella', new Date().toISOString()),
    ).resolves.toBe(monthly);
    await waitFor(
      async () =>
        (await ingest.get(IndexRouter).writeIndexFor('umbrella', new Date().toISOString())) ===
        monthly,
      { timeoutMs: 30_000 },
    );
    await send('after-change');

    await client.indices.refresh({ index: names.eventsPattern });
    const { body: stored } = await client.search({
      index: names.eventsPattern,
      body: { query: { term: { company_id: 'umbrella' } } },
    });
    const placed = Object.fromEntries(
      stored.hits.hits.map((hit) => [(hit._source as { id: string }).id, hit._index]),
    );
    expect(placed).toEqual({
      'before-change': names.eventsIndex('7d', new Date()),
      'after-change': monthly,
    });

    const page = await waitFor(
      async () => {
        const response = await request(query.getHttpServer())
          .get('/v1/events')
          .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'umbrella')}`)
          .expect(200);
        return response.body.data.length === 2 ? response.body : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(page.data.map((event: { id: string }) => event.id).sort()).toEqual([
      'after-change',
      'before-change',
    ]);
  });

  it('rejects writes older than the company retention or into a closed index', async () => {
    await request(query.getHttpServer())
      .put('/v1/admin/companies/shortlived')
      .set('Authorization', admin())
      .send({ retention_class: '1d' })
      .expect(200);
    const router = query.get(IndexRouter);
    const now = new Date();
    await expect(
      router.writeIndexFor('shortlived', new Date(now.getTime() - 25 * 3_600_000).toISOString()),
    ).rejects.toBeInstanceOf(EventOutsideRetentionError);
    await expect(
      router.writeIndexFor('hooli', daysAgo(now, 4).toISOString()),
    ).rejects.toBeInstanceOf(EventOutsideWritableWindowError);
    await expect(router.writeIndexFor('hooli', daysAgo(now, 1).toISOString())).resolves.toBe(
      names.eventsIndex('7d', daysAgo(now, 1)),
    );
  });

  describe('sweeper', () => {
    const now = new Date();
    const monthStart = (monthsBack: number): Date =>
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1));
    const expired = [
      names.eventsIndex('1d', daysAgo(now, 2)),
      names.eventsIndex('1d', daysAgo(now, 30)),
      names.eventsIndex('7d', daysAgo(now, 8)),
      names.eventsIndex('1y', monthStart(13)),
    ];
    const kept = [
      names.eventsIndex('1d', daysAgo(now, 1)),
      names.eventsIndex('1d', daysAgo(now, 0)),
      names.eventsIndex('7d', daysAgo(now, 6)),
      names.eventsIndex('90d', daysAgo(now, 3)),
      names.eventsIndex('1y', monthStart(11)),
      // A class that is no longer configured is never guessed at.
      `${setup.indexPrefix}-events-30d-${'2020.01.01'}`,
    ];
    let runs: SweepRun[];
    let maintenance: INestApplicationContext;

    beforeAll(async () => {
      for (const index of [...expired, ...kept]) await seedIndex(client, index, 'sweep', now);
      // The sweep runs in the maintenance worker; its schedule is covered below, so the
      // runs here are requested by hand (two at once, taken by the worker one after another).
      maintenance = await startMaintenance({ ...setup.env, RETENTION_SWEEP_INTERVAL_SECONDS: '0' });
      runs = await Promise.all([
        runJob<SweepRun>(maintenance, MaintenanceJob.sweepRetention, now),
        runJob<SweepRun>(maintenance, MaintenanceJob.sweepRetention, now),
      ]);
    });

    afterAll(async () => {
      await maintenance?.close();
    });

    it('is a job scheduler on the maintenance queue, never a timer of the query app', async () => {
      const scheduled = await startMaintenance({
        ...setup.env,
        REDIS_KEY_PREFIX: `${setup.indexPrefix}-scheduled`,
        RETENTION_SWEEP_INTERVAL_SECONDS: '3600',
      });
      try {
        const scheduler = await scheduled
          .get(MaintenanceQueue)
          .queue.getJobScheduler(MaintenanceJob.sweepRetention);
        expect(scheduler).toMatchObject({ every: 3_600_000, name: 'retention.sweep' });
      } finally {
        await scheduled.close();
      }
      const queryMetrics = await request(query.getHttpServer()).get('/metrics').expect(200);
      expect(queryMetrics.text).not.toContain('auditlog_retention_sweeps_total');
    });

    if (ismExpected) {
      it('leaves retention to ISM where the plugin is present', () => {
        expect(runs.map((run) => run.status)).toEqual(['skipped', 'skipped']);
      });
    } else {
      it('sweeps in the maintenance worker where ISM is absent, each index deleted once', () => {
        expect(runs.map((run) => run.status)).toEqual(['swept', 'swept']);
        const deleted = runs.flatMap((run) =>
          run.status === 'swept' ? run.result.deleted.map((entry) => entry.index) : [],
        );
        expect(deleted.sort()).toEqual([...expired].sort());
      });

      it('deletes indices past retention and nothing younger', async () => {
        const swept = runs.find((run) => run.status === 'swept' && run.result.deleted.length > 0);
        if (swept?.status !== 'swept') throw new Error('no sweep ran');
        expect(swept.result.deleted.map((entry) => entry.index).sort()).toEqual(
          [...expired].sort(),
        );
        const { body: existing } = await client.cat.indices({
          index: names.eventsPattern,
          format: 'json',
          h: ['index'],
        });
        const remaining = (existing as unknown as Array<{ index: string }>).map((row) => row.index);
        for (const index of expired) expect(remaining).not.toContain(index);
        for (const index of kept) expect(remaining).toContain(index);

        const metrics = await metricsOf(maintenance);
        expect(metrics).toMatch(
          /auditlog_retention_indices_deleted_total\{retention_class="1d",app="maintenance"\} 2/,
        );
        expect(metrics).toMatch(
          /auditlog_retention_indices_deleted_total\{retention_class="1y",app="maintenance"\} 1/,
        );
      });

      it('write-blocks indices closed for writes', async () => {
        const closed = names.eventsIndex('7d', daysAgo(now, 6));
        const swept = runs.find((run) => run.status === 'swept' && run.result.deleted.length > 0);
        expect(swept?.status === 'swept' && swept.result.madeReadOnly).toEqual(
          expect.arrayContaining([closed, names.eventsIndex('90d', daysAgo(now, 3))]),
        );
        const write = await client.index(
          { index: closed, body: { company_id: 'x' } },
          { ignore: [403] },
        );
        expect(write.statusCode).toBe(403);
        const open = names.eventsIndex('1d', daysAgo(now, 0));
        const accepted = await client.index({
          index: open,
          body: storedEventDocument('sweep', now),
        });
        expect(accepted.statusCode).toBe(201);
      });

      it('reports indices per class with their lifecycle to admins', async () => {
        const response = await request(query.getHttpServer())
          .get('/v1/admin/storage')
          .set('Authorization', admin())
          .expect(200);
        expect(response.body).toMatchObject({
          retention_enforcement: 'sweeper',
          read_only_after_days: 2,
        });
        const byClass = Object.fromEntries(
          response.body.classes.map((entry: { retention_class: string }) => [
            entry.retention_class,
            entry,
          ]),
        );
        expect(byClass['1y']).toMatchObject({ granularity: 'month', policy: null });
        expect(byClass['7d'].indices).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              index: names.eventsIndex('7d', daysAgo(now, 6)),
              docs: 1,
              read_only: true,
              lifecycle: 'sweeper',
              deletes_after: new Date(daysAgo(now, 5).getTime() + 7 * 86_400_000).toISOString(),
            }),
          ]),
        );
        expect(response.body.unmanaged.map((entry: { index: string }) => entry.index)).toEqual([
          `${setup.indexPrefix}-events-30d-2020.01.01`,
        ]);
      });
    }
  });
});
