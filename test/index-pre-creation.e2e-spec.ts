import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import { loadConfig } from '@auditlog/config';
import { IndexNames } from '@auditlog/opensearch';
import {
  daysAgo,
  dropPrefix,
  entryOf,
  firstOf,
  ownerToken,
  seedIndex,
  startApp,
  testClient,
  testEnvironment,
} from '@auditlog/testing';
import type { PreCreationResult } from '@auditlog/retention';
import { QueryModule } from '../apps/query/src/query.module';
import { runSetup } from '../apps/setup/src/run-setup';
import {
  dropMaintenanceQueue,
  MaintenanceJob,
  runJob,
  startMaintenance,
} from './maintenance/support';

const HOUR = 3_600_000;

/**
 * Events indices of the next period exist before the period starts, so the first read and
 * write after midnight UTC (or the first of the month) never meet an index whose shards are
 * still starting; and a read whose range names an index that does not exist still answers.
 */
describe('events indices created ahead of their period', () => {
  const setup = testEnvironment('pre-create', undefined, {
    RETENTION_CLASSES: '1d,7d,1y',
    DEFAULT_RETENTION_CLASS: '7d',
    INTEGRITY_JOB_INTERVAL_SECONDS: '0',
    RETENTION_SWEEP_INTERVAL_SECONDS: '0',
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    INDEX_PRE_CREATION_INTERVAL_SECONDS: '0',
  });
  const names = new IndexNames(setup.indexPrefix);
  let client: Client;
  let maintenance: INestApplicationContext;

  const exists = async (index: string) => (await client.indices.exists({ index })).body;

  beforeAll(async () => {
    client = testClient();
    maintenance = await startMaintenance(setup.env);
  });

  afterAll(async () => {
    await maintenance?.close();
    await dropMaintenanceQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it("creates today's and tomorrow's index of every daily class, from the template", async () => {
    const now = new Date('2031-03-14T22:30:00.000Z');
    const result = await runJob<PreCreationResult>(maintenance, MaintenanceJob.ensureIndices, now);
    const expected = [
      `${setup.indexPrefix}-events-1d-2031.03.14`,
      `${setup.indexPrefix}-events-1d-2031.03.15`,
      `${setup.indexPrefix}-events-1y-2031.03`,
      `${setup.indexPrefix}-events-7d-2031.03.14`,
      `${setup.indexPrefix}-events-7d-2031.03.15`,
    ];
    expect([...result.created].sort()).toEqual(expected);
    // The next month starts in more than a day: its monthly index is not made yet.
    expect(await exists(`${setup.indexPrefix}-events-1y-2031.04`)).toBe(false);

    const { body: template } = await client.indices.getIndexTemplate({
      name: names.eventsTemplate,
    });
    const templateSettings = firstOf(template.index_templates, 'events template').index_template
      .template?.settings as {
      index?: Record<string, unknown>;
    } & Record<string, unknown>;
    const { body: settings } = await client.indices.getSettings({
      index: expected.join(','),
      flat_settings: true,
    });
    const { body: aliases } = await client.indices.getAlias({ index: expected.join(',') });
    const { body: mappings } = await client.indices.getMapping({ index: expected.join(',') });
    for (const index of expected) {
      const flat = entryOf(settings, index, 'index settings').settings as Record<string, string>;
      expect(flat).toMatchObject({
        'index.number_of_shards': String(
          templateSettings.number_of_shards ?? templateSettings.index?.number_of_shards,
        ),
        'index.number_of_replicas': String(
          templateSettings.number_of_replicas ?? templateSettings.index?.number_of_replicas,
        ),
        'index.translog.durability': 'request',
        'index.refresh_interval': '1s',
      });
      expect(Object.keys(entryOf(aliases, index, 'index aliases').aliases ?? {})).toEqual([
        names.readAlias,
      ]);
      expect(entryOf(mappings, index, 'index mapping').mappings.dynamic).toBe('strict');
    }
    // Created means ready: every primary is started before the job reports the index.
    const { body: health } = await client.cluster.health({ index: expected.join(',') });
    expect(health.active_primary_shards).toBe(expected.length);
    expect(health.unassigned_shards).toBe(0);
  });

  it('creates the next month of a monthly class on its last day, and changes nothing twice', async () => {
    const now = new Date('2031-03-31T06:00:00.000Z');
    const first = await runJob<PreCreationResult>(maintenance, MaintenanceJob.ensureIndices, now);
    expect([...first.created].sort()).toEqual([
      `${setup.indexPrefix}-events-1d-2031.03.31`,
      `${setup.indexPrefix}-events-1d-2031.04.01`,
      `${setup.indexPrefix}-events-1y-2031.04`,
      `${setup.indexPrefix}-events-7d-2031.03.31`,
      `${setup.indexPrefix}-events-7d-2031.04.01`,
    ]);
    expect(first.existing).toEqual([`${setup.indexPrefix}-events-1y-2031.03`]);
    const again = await runJob<PreCreationResult>(maintenance, MaintenanceJob.ensureIndices, now);
    expect(again.created).toEqual([]);
    expect(again.existing).toHaveLength(6);
  });

  it('is scheduled in the maintenance worker every hour by default', () => {
    const config = loadConfig('maintenance', {
      ...setup.env,
      INDEX_PRE_CREATION_INTERVAL_SECONDS: undefined,
    });
    expect(config.retention.preCreationIntervalSeconds).toBe(3600);
  });

  it("setup creates today's and the next period's indices too", async () => {
    const config = loadConfig('setup', setup.env);
    await expect(runSetup(config)).resolves.toBe(0);
    const now = new Date();
    const tomorrow = new Date(now.getTime() + 24 * HOUR);
    for (const retentionClass of ['1d', '7d']) {
      expect(await exists(names.eventsIndex(retentionClass, now))).toBe(true);
      expect(await exists(names.eventsIndex(retentionClass, tomorrow))).toBe(true);
    }
    expect(await exists(names.eventsIndex('1y', now))).toBe(true);
  });

  describe('a read whose range names indices that do not exist', () => {
    let query: INestApplication;
    const token = ownerToken(setup.jwtSecret, 'acme');

    beforeAll(async () => {
      query = await startApp('query', QueryModule, setup.env);
      // One stored event, in an index of three days ago; the range runs to three days from now,
      // whose index (and the days between) nobody created.
      const at = new Date(daysAgo(new Date(), 3).getTime() + HOUR);
      await seedIndex(client, names.eventsIndex('7d', at), 'acme', at);
    });

    afterAll(async () => {
      await query?.close();
    });

    it.each(['/v1/events', '/v1/events/histogram', '/v1/events/facets?field=action'])(
      'GET %s answers 200',
      async (path) => {
        const from = daysAgo(new Date(), 4).toISOString();
        const to = new Date(Date.now() + 72 * HOUR).toISOString();
        const separator = path.includes('?') ? '&' : '?';
        const response = await request(query.getHttpServer())
          .get(`${path}${separator}from=${from}&to=${to}`)
          .set('authorization', `Bearer ${token}`);
        expect(response.status).toBe(200);
        if (path === '/v1/events') expect(response.body.data).toHaveLength(1);
      },
    );
  });
});
