import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import {
  newSecret,
  ownerToken,
  startApp,
  testEnvironment,
  waitFor,
  entryOf,
} from '@auditlog/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import type { MaintenanceResult } from '../../apps/maintenance/src/exports/export-maintenance.job';
import type { DigestRunSummary } from '../../apps/maintenance/src/integrity/digest-sealing.service';
import type { SweepRun } from '../../apps/maintenance/src/retention/retention-sweep.job';
import type { PreCreationResult } from '@auditlog/retention';
import { QueryModule } from '../../apps/query/src/query.module';
import { MaintenanceJob, runJob, startMaintenance } from '../maintenance/support';
import { runCommand } from '../../scripts/services/processes';
import { applySecurityConfig } from '../../scripts/opensearch-security/security-api';
import {
  APPLIANCE_USERS,
  loadSecurityConfig,
} from '../../scripts/opensearch-security/security-config';
import {
  abortSecuredOpenSearch,
  type SecuredNode,
  startSecuredOpenSearch,
} from './support/secured-opensearch';

const ROOT = path.resolve(__dirname, '../..');
const SECURITY_DIR = path.join(ROOT, 'deploy/opensearch/security');
const EVENTS_INDEX = `auditlog-events-90d-${new Date().toISOString().slice(0, 10).replace(/-/g, '.')}`;

/** The HTTP status OpenSearch answered, whether the call succeeded or not. */
async function statusOf(call: Promise<{ statusCode: number | null }>): Promise<number> {
  try {
    return (await call).statusCode ?? 0;
  } catch (error) {
    const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status === undefined) throw error;
    return status;
  }
}

describe('OpenSearch security roles on a secured node', () => {
  let node: SecuredNode;
  let admin: Client;
  const passwords = Object.fromEntries(
    APPLIANCE_USERS.map(({ name }) => [name, `Aa1-${newSecret()}`]),
  );
  // One probe user per role, mapped through the role's backend role only: proves each role
  // on its own, whatever else the appliance's users hold.
  const probes = {
    ingest: 'auditlog_ingest',
    reader: 'auditlog_reader',
    siem: 'auditlog_siem_reader',
  };
  const probePassword = `Aa1-${newSecret()}`;
  const clients: Client[] = [];
  const track = (client: Client): Client => {
    clients.push(client);
    return client;
  };
  const as = (user: string): Client =>
    track(node.userClient(user, entryOf(passwords, user, 'password of user')));
  const holding = (role: keyof typeof probes): Client =>
    track(node.userClient(`probe-${role}`, probePassword));

  beforeAll(async () => {
    node = await startSecuredOpenSearch();
    admin = node.adminClient();
    await applySecurityConfig(
      admin,
      loadSecurityConfig(SECURITY_DIR),
      Object.entries(passwords).map(([name, password]) => ({ name, password })),
    );
    for (const [name, backendRole] of Object.entries(probes)) {
      await admin.transport.request({
        method: 'PUT',
        path: `/_plugins/_security/api/internalusers/probe-${name}`,
        body: { password: probePassword, backend_roles: [backendRole] },
      });
    }
    // A document for the readers, written by an admin.
    await admin.index({
      index: EVENTS_INDEX,
      id: 'seed',
      body: { action: 'flow.created' },
      refresh: true,
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await admin?.close();
    await (node ? node.stop() : abortSecuredOpenSearch());
  }, 60_000);

  it('refuses anonymous requests and unknown passwords', async () => {
    expect(
      await statusOf(node.userClient('auditlog-ingest', 'wrong-password').cluster.health()),
    ).toBe(401);
  });

  it('lets the ingest role create events but not read, update or delete them', async () => {
    const ingest = holding('ingest');
    const { body } = await ingest.bulk({
      body: [{ create: { _index: EVENTS_INDEX, _id: 'acme:evt-1' } }, { action: 'flow.created' }],
    });
    expect(body.items[0]?.create?.status).toBe(201);
    expect(
      await statusOf(ingest.create({ index: 'auditlog-events-90d-2020.01.01', id: 'x', body: {} })),
    ).toBe(201);

    expect(await statusOf(ingest.search({ index: EVENTS_INDEX }))).toBe(403);
    expect(await statusOf(ingest.get({ index: EVENTS_INDEX, id: 'acme:evt-1' }))).toBe(403);
    expect(await statusOf(ingest.delete({ index: EVENTS_INDEX, id: 'acme:evt-1' }))).toBe(403);
    expect(
      await statusOf(
        ingest.update({ index: EVENTS_INDEX, id: 'acme:evt-1', body: { doc: { a: 1 } } }),
      ),
    ).toBe(403);
    expect(await statusOf(ingest.indices.delete({ index: EVENTS_INDEX }))).toBe(403);
    expect(await statusOf(ingest.create({ index: 'other-index', id: 'x', body: {} }))).toBe(403);
    const deletion = await ingest.bulk({
      body: [{ delete: { _index: EVENTS_INDEX, _id: 'acme:evt-1' } }],
    });
    expect(deletion.body.items[0]?.delete?.status).toBe(403);
  });

  it('lets the reader search with a point in time but not write', async () => {
    const reader = holding('reader');
    const { body } = await reader.search({
      index: 'auditlog-events-*',
      body: { query: { ids: { values: ['seed'] } } },
    });
    expect(body.hits.hits.map((hit: { _id?: string }) => hit._id)).toEqual(['seed']);

    const pit = await reader.createPit({ index: ['auditlog-events-*'], keep_alive: '1m' });
    const page = await reader.search({
      body: { pit: { id: pit.body.pit_id }, size: 100, sort: [{ _doc: 'asc' }] },
    });
    expect(page.body.hits.hits.length).toBeGreaterThan(0);
    expect(await statusOf(reader.deletePit({ body: { pit_id: [pit.body.pit_id] } }))).toBe(200);

    expect(await statusOf(reader.delete({ index: EVENTS_INDEX, id: 'seed' }))).toBe(403);
    expect(await statusOf(reader.indices.delete({ index: EVENTS_INDEX }))).toBe(403);
    expect(await statusOf(reader.index({ index: 'other-index', id: 'x', body: {} }))).toBe(403);
  });

  it('keeps the SIEM reader read-only and inside the event indices', async () => {
    const siem = holding('siem');
    const { body } = await siem.search({
      index: 'auditlog-events-*',
      body: { query: { ids: { values: ['seed'] } } },
    });
    expect(body.hits.total).toMatchObject({ value: 1 });
    const pit = await siem.createPit({ index: ['auditlog-events-*'], keep_alive: '1m' });
    expect(await statusOf(siem.deletePit({ body: { pit_id: [pit.body.pit_id] } }))).toBe(200);

    expect(await statusOf(siem.create({ index: EVENTS_INDEX, id: 'siem-1', body: {} }))).toBe(403);
    expect(await statusOf(siem.delete({ index: EVENTS_INDEX, id: 'seed' }))).toBe(403);
    expect(await statusOf(siem.search({ index: 'auditlog-exports' }))).toBe(403);
    expect(
      await statusOf(
        siem.indices.putIndexTemplate({ name: 'x', body: { index_patterns: ['x-*'] } }),
      ),
    ).toBe(403);
    expect(
      await statusOf(
        siem.transport.request({ method: 'GET', path: '/_plugins/_security/api/roles' }),
      ),
    ).toBe(403);
  });

  it('lets the auditlog-siem user search and read event mappings, and nothing else', async () => {
    const others = [
      'auditlog-exports',
      'auditlog-companies',
      'auditlog-digests',
      'auditlog-streams',
    ];
    for (const index of others) {
      await admin.index({ index, id: 'siem-probe', body: { n: 1 }, refresh: true });
    }
    const siem = as('auditlog-siem');
    const found = await siem.search({
      index: 'auditlog-events-*',
      body: { query: { ids: { values: ['seed'] } } },
    });
    expect(found.body.hits.total).toMatchObject({ value: 1 });
    // Field discovery as SIEM tools and Dashboards index patterns do it.
    const mapping = await siem.indices.getMapping({ index: 'auditlog-events-*' });
    expect(Object.keys(mapping.body)).toContain(EVENTS_INDEX);
    const caps = await siem.fieldCaps({ index: 'auditlog-events-*', fields: '*' });
    expect(Object.keys(caps.body.fields as object)).toContain('action');
    expect(await statusOf(siem.indices.get({ index: 'auditlog-events-*' }))).toBe(200);

    const writes: Array<[string, () => Promise<{ statusCode: number | null }>]> = [
      ['index', () => siem.index({ index: EVENTS_INDEX, id: 'siem-1', body: {} })],
      ['update', () => siem.update({ index: EVENTS_INDEX, id: 'seed', body: { doc: { a: 1 } } })],
      ['delete', () => siem.delete({ index: EVENTS_INDEX, id: 'seed' })],
      ['delete index', () => siem.indices.delete({ index: EVENTS_INDEX })],
      [
        'put mapping',
        () =>
          siem.indices.putMapping({
            index: EVENTS_INDEX,
            body: { properties: { siem_field: { type: 'keyword' } } },
          }),
      ],
    ];
    for (const [name, write] of writes) {
      expect([name, await statusOf(write())]).toEqual([name, 403]);
    }
    const bulk = await siem.bulk({
      body: [{ create: { _index: EVENTS_INDEX, _id: 'siem-2' } }, { action: 'x.y' }],
    });
    expect(bulk.body.items[0]?.create?.status).toBe(403);
    for (const index of others) {
      expect([index, await statusOf(siem.search({ index }))]).toEqual([index, 403]);
      expect([index, await statusOf(siem.get({ index, id: 'siem-probe' }))]).toEqual([index, 403]);
      expect([index, await statusOf(siem.indices.getMapping({ index }))]).toEqual([index, 403]);
      expect([index, await statusOf(siem.index({ index, id: 'x', body: {} }))]).toEqual([
        index,
        403,
      ]);
    }
    expect((await admin.get({ index: EVENTS_INDEX, id: 'seed' })).body.found).toBe(true);
  });

  it('gives each app account exactly the writes its process needs', async () => {
    const query = as('auditlog-query');
    const exporter = as('auditlog-export');
    const ingest = as('auditlog-ingest');
    // Self-audit events (audit_log.viewed / exported) are created by query and export.
    expect(
      await statusOf(query.create({ index: EVENTS_INDEX, id: 'acme:viewed-1', body: {} })),
    ).toBe(201);
    expect(
      await statusOf(exporter.create({ index: EVENTS_INDEX, id: 'acme:exported-1', body: {} })),
    ).toBe(201);
    expect(await statusOf(query.delete({ index: EVENTS_INDEX, id: 'acme:viewed-1' }))).toBe(403);
    expect(await statusOf(exporter.delete({ index: EVENTS_INDEX, id: 'acme:viewed-1' }))).toBe(403);
    // Export metadata belongs to the export account; company settings to the query account.
    expect(
      await statusOf(
        // As the export repository writes: refreshed at once, so lists show the change.
        exporter.index({
          index: 'auditlog-exports',
          id: 'job-1',
          body: { status: 'queued' },
          refresh: true,
        }),
      ),
    ).toBe(201);
    expect(await statusOf(exporter.delete({ index: 'auditlog-exports', id: 'job-1' }))).toBe(200);
    expect(
      await statusOf(exporter.index({ index: 'auditlog-companies', id: 'acme', body: {} })),
    ).toBe(403);
    expect(
      await statusOf(
        query.index({ index: 'auditlog-companies', id: 'acme', body: { retention_class: '1y' } }),
      ),
    ).toBe(201);
    expect(await statusOf(query.index({ index: 'auditlog-exports', id: 'job-2', body: {} }))).toBe(
      403,
    );
    expect(await statusOf(ingest.search({ index: 'auditlog-companies' }))).toBe(200);
    expect(
      await statusOf(ingest.index({ index: 'auditlog-companies', id: 'acme', body: {} })),
    ).toBe(403);
    // Integrity digests are written by the maintenance worker only (see below).
    expect(
      await statusOf(query.create({ index: 'auditlog-digests', id: 'acme:0', body: { count: 0 } })),
    ).toBe(403);
    expect(
      await statusOf(
        as('auditlog-maintenance').create({
          index: 'auditlog-digests',
          id: 'acme:0',
          body: { count: 0 },
        }),
      ),
    ).toBe(201);
    expect(
      await statusOf(ingest.create({ index: 'auditlog-digests', id: 'acme:1', body: {} })),
    ).toBe(403);
    expect(
      await statusOf(exporter.create({ index: 'auditlog-digests', id: 'acme:2', body: {} })),
    ).toBe(403);
    // The action catalog: producers register actions through ingest; query reads them.
    expect(
      await statusOf(
        ingest.index({ index: 'auditlog-catalog', id: 'flow.created', body: { label: 'x' } }),
      ),
    ).toBe(201);
    expect(await statusOf(ingest.search({ index: 'auditlog-catalog' }))).toBe(403);
    expect(await statusOf(ingest.delete({ index: 'auditlog-catalog', id: 'flow.created' }))).toBe(
      403,
    );
    expect(await statusOf(query.search({ index: 'auditlog-catalog' }))).toBe(200);
    expect(
      await statusOf(query.index({ index: 'auditlog-catalog', id: 'a.b', body: { label: 'x' } })),
    ).toBe(403);
    expect(await statusOf(exporter.index({ index: 'auditlog-catalog', id: 'a.b', body: {} }))).toBe(
      403,
    );
    // The export worker reads digests (auditlog_reader) for integrity bundles.
    expect(await statusOf(exporter.search({ index: 'auditlog-digests' }))).toBe(200);
    expect(await statusOf(exporter.indices.delete({ index: EVENTS_INDEX }))).toBe(403);
  });

  it('keeps streams (sealed destination secrets) to the query and maintenance accounts', async () => {
    const query = as('auditlog-query');
    const maintenance = as('auditlog-maintenance');
    // The admin API writes definitions; the runner moves the state by compare-and-set.
    expect(
      await statusOf(
        query.index({
          index: 'auditlog-streams',
          id: 'st-1',
          body: { name: 'siem' },
          refresh: true,
        }),
      ),
    ).toBe(201);
    const { body: read } = await maintenance.get({ index: 'auditlog-streams', id: 'st-1' });
    expect(
      await statusOf(
        maintenance.index({
          index: 'auditlog-streams',
          id: 'st-1',
          body: { name: 'siem', state: { status: 'active' } },
          if_seq_no: read._seq_no,
          if_primary_term: read._primary_term,
        }),
      ),
    ).toBe(200);
    expect(await statusOf(query.search({ index: 'auditlog-streams' }))).toBe(200);
    // Producers and SIEM readers neither read nor write them.
    for (const client of [
      as('auditlog-ingest'),
      holding('ingest'),
      holding('siem'),
      as('auditlog-siem'),
    ]) {
      expect(await statusOf(client.get({ index: 'auditlog-streams', id: 'st-1' }))).toBe(403);
      expect(await statusOf(client.search({ index: 'auditlog-streams' }))).toBe(403);
      expect(
        await statusOf(client.index({ index: 'auditlog-streams', id: 'st-2', body: {} })),
      ).toBe(403);
    }
    expect(
      await statusOf(
        as('auditlog-export').index({ index: 'auditlog-streams', id: 'st-3', body: {} }),
      ),
    ).toBe(403);
  });

  it('keeps index deletion and digest writes from the query account', async () => {
    const query = as('auditlog-query');
    const expired = 'auditlog-events-7d-2020.01.01';
    await admin.indices.create({ index: expired });
    await admin.index({ index: 'auditlog-exports', id: 'old-job', body: { status: 'completed' } });
    // The public read API: no delete of an events index, no digest, no retention rights.
    expect(await statusOf(query.indices.delete({ index: expired }))).toBe(403);
    expect(await statusOf(query.indices.delete({ index: 'auditlog-events-*' }))).toBe(403);
    expect(
      await statusOf(query.create({ index: 'auditlog-digests', id: 'acme:1', body: { n: 1 } })),
    ).toBe(403);
    expect(
      await statusOf(query.index({ index: 'auditlog-digests', id: 'acme:1', body: { n: 1 } })),
    ).toBe(403);
    expect(
      await statusOf(
        query.indices.putSettings({ index: expired, body: { 'index.blocks.write': true } }),
      ),
    ).toBe(403);
    expect(
      await statusOf(query.index({ index: 'auditlog-exports', id: 'old-job', body: {} })),
    ).toBe(403);
    // Its own self-audit events it may create; it can neither update nor delete them.
    expect(
      await statusOf(query.create({ index: EVENTS_INDEX, id: 'acme:viewed-2', body: {} })),
    ).toBe(201);
    expect(
      await statusOf(
        query.update({ index: EVENTS_INDEX, id: 'acme:viewed-2', body: { doc: { x: 1 } } }),
      ),
    ).toBe(403);
    expect(await statusOf(query.delete({ index: EVENTS_INDEX, id: 'acme:viewed-2' }))).toBe(403);

    // The maintenance account holds exactly those rights.
    const maintenance = as('auditlog-maintenance');
    expect(
      await statusOf(
        maintenance.create({ index: 'auditlog-digests', id: 'acme:1', body: { n: 1 } }),
      ),
    ).toBe(201);
    expect(
      await statusOf(
        maintenance.indices.putSettings({ index: expired, body: { 'index.blocks.write': true } }),
      ),
    ).toBe(200);
    expect(
      await statusOf(
        maintenance.index({
          index: 'auditlog-exports',
          id: 'old-job',
          body: { status: 'expired' },
        }),
      ),
    ).toBe(200);
    expect(await statusOf(maintenance.indices.delete({ index: expired }))).toBe(200);
    expect((await admin.indices.exists({ index: expired })).body).toBe(false);
    // …and nothing a producer or the export API does.
    expect(
      await statusOf(maintenance.create({ index: EVENTS_INDEX, id: 'acme:m-1', body: {} })),
    ).toBe(403);
    expect(await statusOf(maintenance.delete({ index: EVENTS_INDEX, id: 'seed' }))).toBe(403);
    expect(await statusOf(maintenance.delete({ index: 'auditlog-exports', id: 'old-job' }))).toBe(
      403,
    );
    expect(
      await statusOf(maintenance.index({ index: 'auditlog-companies', id: 'acme', body: {} })),
    ).toBe(403);
    expect(
      await statusOf(
        maintenance.indices.delete({ index: 'auditlog-companies' }, { ignore: [404] }),
      ),
    ).toBe(403);
  });

  it('lets the export account scan events from a point in time and track its jobs', async () => {
    const exporter = as('auditlog-export');
    const { body: resolved } = await exporter.indices.resolveIndex({
      name: ['auditlog-events-*'],
    });
    expect((resolved.indices ?? []).length).toBeGreaterThan(0);
    const pit = await exporter.createPit({ index: ['auditlog-events-*'], keep_alive: '1m' });
    expect(
      await statusOf(
        exporter.search({ body: { pit: { id: pit.body.pit_id, keep_alive: '1m' }, size: 1 } }),
      ),
    ).toBe(200);
    expect(await statusOf(exporter.deletePit({ body: { pit_id: [pit.body.pit_id] } }))).toBe(200);
    expect(
      await statusOf(
        exporter.update({
          index: 'auditlog-exports',
          id: 'job-3',
          body: { doc: { progress: 5 }, doc_as_upsert: true },
        }),
      ),
    ).toBe(201);
    expect(await statusOf(exporter.indices.refresh({ index: 'auditlog-exports' }))).toBe(200);
    // The export account can create its history index behind its alias (storage setup).
    expect(
      await statusOf(
        exporter.indices.create({
          index: 'auditlog-exports-v9',
          body: { aliases: { 'auditlog-exports-alias-test': {} } },
        }),
      ),
    ).toBe(200);
    expect(await statusOf(exporter.count({ index: 'auditlog-exports' }))).toBe(200);
  });

  it('applies again idempotently through the command the setup job runs', async () => {
    const result = await runCommand(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/opensearch-security/cli.ts', 'apply'],
      {
        cwd: ROOT,
        timeoutMs: 60_000,
        env: {
          ...process.env,
          OPENSEARCH_URL: node.url,
          OPENSEARCH_CA_FILE: node.certificates.ca,
          OPENSEARCH_CERT_FILE: node.certificates.adminCert,
          OPENSEARCH_KEY_FILE: node.certificates.adminKey,
        },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/security: \d+ roles, \d+ mappings, 0 users applied/);
    expect(result.code).toBe(0);
    // Passwords set before survive a run without password variables.
    expect(await statusOf(as('auditlog-siem').cluster.health())).toBe(200);
  }, 90_000);

  describe('the apps with their least-privilege accounts over TLS', () => {
    const setup = testEnvironment('secured', [{ id: 'producer', companies: '*' }]);
    let ingest: INestApplication;
    let query: INestApplication;
    const envFor = (user: string) => ({
      ...setup.env,
      OPENSEARCH_URL: node.url,
      OPENSEARCH_INDEX_PREFIX: 'auditlog',
      OPENSEARCH_USERNAME: user,
      OPENSEARCH_PASSWORD: passwords[user],
      OPENSEARCH_CA_FILE: node.certificates.ca,
    });

    beforeAll(async () => {
      // Start from no event indices: the probes above wrote documents without the template.
      await admin.indices.delete({ index: 'auditlog-*', expand_wildcards: 'all' });
      ingest = await startApp('ingest', IngestModule, envFor('auditlog-ingest'));
      query = await startApp('query', QueryModule, envFor('auditlog-query'));
    });

    afterAll(async () => {
      await ingest?.close();
      await query?.close();
    });

    it('ingests and queries an event and reports ready', async () => {
      await request(ingest.getHttpServer()).get('/health/ready').expect(200);
      await request(query.getHttpServer()).get('/health/ready').expect(200);
      await request(ingest.getHttpServer())
        .post('/v1/events')
        .set('Authorization', `Bearer ${setup.keys.producer.secret}`)
        .send({
          id: 'tls-1',
          timestamp: new Date().toISOString(),
          company_id: 'acme',
          action: 'auth.login',
          actor: { id: 'alice' },
        })
        .expect(201);
      const page = await waitFor(async () => {
        const response = await request(query.getHttpServer())
          // The query app records each read as an audit_log.viewed event of its own.
          .get('/v1/events?action=auth.login')
          .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'acme')}`)
          .expect(200);
        return response.body.data.length > 0 ? response.body : undefined;
      });
      expect(page.data.map((event: { id: string }) => event.id)).toEqual(['tls-1']);
    });

    it('registers an action through ingest and lists it through query', async () => {
      await request(ingest.getHttpServer())
        .put('/v1/catalog/actions/auth.login')
        .set('Authorization', `Bearer ${setup.keys.producer.secret}`)
        .send({ label: 'Signed in', template: '{actor.name} signed in' })
        .expect(200);
      const response = await request(query.getHttpServer())
        .get('/v1/catalog')
        .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'acme')}`)
        .expect(200);
      expect(response.body.actions).toContainEqual(
        expect.objectContaining({ action: 'auth.login', label: 'Signed in', registered: true }),
      );
    });

    it('runs every maintenance job with the maintenance account only', async () => {
      const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secured-maintenance-'));
      const keyPath = path.join(keyDir, 'k1.key.pem');
      const pair = generateKeyPairSync('ed25519');
      fs.writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const expired = 'auditlog-events-7d-2020.02.01';
      await admin.indices.create({ index: expired });
      const maintenance: INestApplicationContext = await startMaintenance({
        ...envFor('auditlog-maintenance'),
        INTEGRITY_SIGNING_KEY: keyPath,
        INTEGRITY_SIGNING_KEY_ID: 'k1',
        INTEGRITY_WINDOW: '1m',
        INTEGRITY_SETTLE_SECONDS: '0',
        INTEGRITY_JOB_INTERVAL_SECONDS: '0',
        RETENTION_SWEEP_INTERVAL_SECONDS: '0',
        EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
        INDEX_PRE_CREATION_INTERVAL_SECONDS: '0',
      });
      try {
        const tomorrow = `auditlog-events-7d-${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replace(/-/g, '.')}`;
        const ahead = await runJob<PreCreationResult>(maintenance, MaintenanceJob.ensureIndices);
        expect([...ahead.created, ...ahead.existing]).toContain(tomorrow);
        const sweep = await runJob<SweepRun>(maintenance, MaintenanceJob.sweepRetention);
        expect(sweep.status === 'swept' && sweep.result.deleted.map((d) => d.index)).toEqual([
          expired,
        ]);
        // The event ingested above (and the query app's audit_log.viewed) get sealed.
        const sealed = await runJob<DigestRunSummary>(
          maintenance,
          MaintenanceJob.sealDigests,
          new Date(Date.now() + 2 * 60_000),
        );
        expect(sealed.created).toBeGreaterThan(0);
        const exports = await runJob<MaintenanceResult>(
          maintenance,
          MaintenanceJob.maintainExports,
        );
        expect(exports).toEqual({ expired: [], failed: [], released: [] });
        // The query app reads the sealed chain with its read-only account.
        const verified = await request(query.getHttpServer())
          .get('/v1/integrity/digests')
          .query({ from: new Date(Date.now() - 60 * 60_000).toISOString() })
          .set('Authorization', `Bearer ${ownerToken(setup.jwtSecret, 'acme')}`)
          .expect(200);
        expect((verified.body as unknown[]).length).toBeGreaterThan(0);
      } finally {
        await maintenance.close();
        fs.rmSync(keyDir, { recursive: true, force: true });
      }
    });
  });
});
