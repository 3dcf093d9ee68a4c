import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import type { StoredEvent } from '@auditlog/events';
import {
  adminToken,
  type AppProcess,
  dropPrefix,
  ownerToken,
  startApp,
  startProcess,
  stopProcess,
  storedDocuments,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { QueryModule } from '../../apps/query/src/query.module';
import { seedEvents, type SeedEvent } from '../query/seed';
import { binary, dropExportQueue, ensureBuild } from './support';

const now = Date.now();
const since = new Date(now - 3_600_000).toISOString();

function underProject(project: string, index: number): SeedEvent {
  return {
    id: `acme-${project}-${index}`,
    company_id: 'acme',
    timestamp: new Date(now - 60_000 - index * 1000).toISOString(),
    target: { type: 'service', id: `svc-${index}`, ancestors: [{ type: 'project', id: project }] },
  };
}

const p1 = Array.from({ length: 5 }, (_, index) => underProject('p1', index));
const p2 = Array.from({ length: 4 }, (_, index) => underProject('p2', index + 10));
const ids = (events: Array<{ id: string }>) => events.map((event) => event.id).sort();
const ndjsonIds = (body: Buffer) =>
  body
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: string }).id)
    .sort();

describe('viewer sessions on the export API', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-viewer-exports-'));
  const setup = testEnvironment('viewer-exports', undefined, {
    EXPORT_DIR: exportDir,
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    EXPORT_JOB_LOCK_SECONDS: '5',
  });
  const owner = ownerToken(setup.jwtSecret, 'acme');
  let client: Client;
  let query: INestApplication;
  let exportApp: INestApplication;
  let worker: AppProcess | undefined;
  let buildDir: string;
  let exporter: string;
  let viewOnly: string;
  const subject = 'host-exporter';

  async function session(body: Record<string, unknown>): Promise<string> {
    const minted = await request(query.getHttpServer())
      .post('/v1/viewer-tokens')
      .set('authorization', `Bearer ${adminToken(setup.jwtSecret)}`)
      .send(body);
    expect(minted.status).toBe(201);
    const exchanged = await request(query.getHttpServer())
      .post('/v1/viewer-sessions')
      .send({ token: minted.body.token });
    expect(exchanged.status).toBe(201);
    return exchanged.body.session_token as string;
  }

  const call = (method: 'get' | 'post' | 'delete', url: string, bearer: string) =>
    request(exportApp.getHttpServer())[method](url).set('authorization', `Bearer ${bearer}`);
  const stream = (bearer: string, filters: Record<string, unknown>) =>
    call('get', '/v1/exports/stream', bearer)
      .query({ format: 'ndjson', from: since, ...filters })
      .buffer(true)
      .parse(binary);
  const read = (id: string, bearer: string) => call('get', `/v1/exports/${id}`, bearer);

  beforeAll(async () => {
    client = testClient();
    const building = ensureBuild();
    exportApp = await startApp('export', ExportModule, setup.env);
    query = await startApp('query', QueryModule, setup.env);
    await seedEvents(client, setup.indexPrefix, [...p1, ...p2]);
    exporter = await session({
      company_id: 'acme',
      subject,
      filters: { ancestor: 'project:p1' },
      permissions: ['view', 'export'],
    });
    viewOnly = await session({ company_id: 'acme', subject: 'host-viewer' });
    buildDir = await building;
  }, 600_000);

  afterAll(async () => {
    await stopProcess(worker);
    await exportApp?.close();
    await query?.close();
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  }, 60_000);

  it('refuses every export route to a session without the export permission (403)', async () => {
    const responses = [
      await call('get', '/v1/exports/stream', viewOnly).query({ format: 'csv' }),
      await call('post', '/v1/exports', viewOnly).send({ name: 'x', format: 'csv', filters: {} }),
      await call('get', '/v1/exports', viewOnly),
      await call('get', `/v1/exports/exp_${'0'.repeat(32)}`, viewOnly),
      await call('get', `/v1/exports/exp_${'0'.repeat(32)}/download`, viewOnly),
      await call('delete', `/v1/exports/exp_${'0'.repeat(32)}`, viewOnly),
    ];
    for (const response of responses) {
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.detail).toContain('"export" permission');
    }
    // The session itself is valid on the export API.
    const who = await call('get', '/v1/session', viewOnly);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({
      via: 'viewer',
      permissions: ['view'],
      subject: 'host-viewer',
    });
  });

  it('streams only events inside the fixed filters, whatever the parameters', async () => {
    const widened = await stream(exporter, { ancestor: ['project:p1', 'project:p2'] });
    expect(widened.status).toBe(200);
    expect(ndjsonIds(widened.body as Buffer)).toEqual(ids(p1));
    const other = await stream(exporter, { ancestor: 'project:p2' });
    expect(other.status).toBe(200);
    expect(ndjsonIds(other.body as Buffer)).toEqual([]);
    // The owner reads the whole company (beside the seeds, the audit events of these exports).
    const ownerAll = await stream(owner, {});
    expect(ndjsonIds(ownerAll.body as Buffer).filter((id) => id.startsWith('acme-'))).toEqual(
      ids([...p1, ...p2]),
    );
  });

  it('writes export jobs with the fixed filters (the worker applies them) and keeps the history apart', async () => {
    const created = await call('post', '/v1/exports', exporter).send({
      name: 'p1 only',
      format: 'ndjson',
      filters: { from: since, ancestor: ['project:p1', 'project:p2'] },
    });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const ownerJob = await call('post', '/v1/exports', owner).send({
      name: 'whole company',
      format: 'ndjson',
      filters: { from: since },
    });
    expect(ownerJob.status).toBe(202);

    worker = await startProcess('export-worker', setup.env, { cwd: buildDir });
    for (const [job, bearer] of [
      [id, exporter],
      [ownerJob.body.id as string, owner],
    ] as const) {
      await waitFor(
        async () => {
          const { body } = await read(job, bearer);
          if (body.status === 'failed') throw new Error(`export failed: ${body.error}`);
          return body.status === 'completed';
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    }
    const file = await call('get', `/v1/exports/${id}/download`, exporter)
      .buffer(true)
      .parse(binary);
    expect(file.status).toBe(200);
    expect(ndjsonIds(file.body as Buffer)).toEqual(ids(p1));
    expect((await read(id, exporter)).body).toMatchObject({ rows: p1.length, status: 'completed' });

    // The restricted session sees its own export only; the owner's would widen it.
    const history = await call('get', '/v1/exports', exporter);
    expect(history.body.data.map((entry: { id: string }) => entry.id)).toEqual([id]);
    const ownerId = ownerJob.body.id as string;
    expect((await read(ownerId, exporter)).status).toBe(404);
    expect((await call('get', `/v1/exports/${ownerId}/download`, exporter)).status).toBe(404);
    expect((await call('delete', `/v1/exports/${ownerId}`, exporter)).status).toBe(404);
    const ownerHistory = await call('get', '/v1/exports', owner);
    expect(ownerHistory.body.data.map((entry: { id: string }) => entry.id).sort()).toEqual(
      [id, ownerId].sort(),
    );
  }, 180_000);

  it('refuses include_integrity under fixed filters (403)', async () => {
    const response = await call('post', '/v1/exports', exporter).send({
      name: 'bundle',
      format: 'ndjson',
      filters: { from: since },
      include_integrity: true,
    });
    expect(response.status).toBe(403);
    expect(response.body.detail).toContain('covers a whole company');
  });

  it('records audit_log.exported with the subject as actor and via viewer_token', async () => {
    let seen: string[] = [];
    const audits = await waitFor(
      async () => {
        const docs = await storedDocuments<StoredEvent>(client, setup.indexPrefix);
        const found = docs.filter(
          (doc) => doc.action === 'audit_log.exported' && doc.actor.id === subject,
        );
        const kinds = new Set(found.map((doc) => (doc.details as { kind: string }).kind));
        seen = [...kinds];
        return ['stream', 'job', 'download'].every((kind) => kinds.has(kind)) ? found : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; audit kinds stored: ${JSON.stringify(seen)}`);
    });
    for (const audit of audits) {
      expect(audit.company_id).toBe('acme');
      expect(audit.details).toMatchObject({
        via: 'viewer_token',
        viewer_token_id: expect.stringMatching(/^vtk_/),
        fixed_filters: { ancestor: 'project:p1' },
      });
    }
  });
});
