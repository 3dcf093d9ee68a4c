import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import {
  type AppProcess,
  dropPrefix,
  ownerToken,
  startApp,
  startProcess,
  stopProcess,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { bulkSeed, ensureBuild, dropExportQueue } from '../export/support';

/** Rows whose CSV is several times larger than the 2 MiB file system below. */
const ROWS = 30_000;

/**
 * The export directory runs out of space in the middle of a job. A real, tiny file system
 * (tmpfs of 2 MiB, mounted for this suite) fills up: the job must end `failed` with a clear
 * reason, and no partial file may stay behind or be offered for download.
 */
describe('export directory full', () => {
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-export-full-'));
  const setup = testEnvironment('export-faults', undefined, {
    EXPORT_DIR: mountPoint,
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
  });
  const token = ownerToken(setup.jwtSecret, 'acme');
  const newest = Date.now() - 60_000;
  let mounted = false;
  let client: Client;
  let app: INestApplication;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0777', 'tmpfs', mountPoint], {
        stdio: 'pipe',
      });
      mounted = true;
    } catch (error) {
      throw new Error(
        `This suite needs to mount a 2 MiB tmpfs (run as root, or with CAP_SYS_ADMIN): mount -t tmpfs -o size=2m tmpfs ${mountPoint} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`,
        { cause: error },
      );
    }
    client = testClient();
    const building = ensureBuild();
    app = await startApp('export', ExportModule, setup.env);
    await bulkSeed(client, setup.indexPrefix, 'acme', ROWS, newest, 1000);
    worker = await startProcess('export-worker', setup.env, { cwd: await building });
  }, 600_000);

  afterAll(async () => {
    await stopProcess(worker);
    await app?.close();
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    if (mounted) execFileSync('umount', [mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  }, 60_000);

  it('fails the job with ENOSPC named, leaves no partial file and offers nothing to download', async () => {
    const created = await request(app.getHttpServer())
      .post('/v1/exports')
      .set('authorization', `Bearer ${token}`)
      .send({
        name: 'too big for the disk',
        format: 'csv',
        filters: { from: new Date(newest - 10 * 3_600_000).toISOString() },
      });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const record = await waitFor(
      async () => {
        const { body } = await request(app.getHttpServer())
          .get(`/v1/exports/${id}`)
          .set('authorization', `Bearer ${token}`);
        return ['completed', 'failed'].includes(body.status as string)
          ? (body as Record<string, unknown>)
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(record).toMatchObject({ status: 'failed', sha256: null, bytes: null });
    expect(record.error).toBe('The export directory is full (ENOSPC); no file was kept.');
    expect(fs.readdirSync(mountPoint)).toEqual([]);
    const download = await request(app.getHttpServer())
      .get(`/v1/exports/${id}/download`)
      .set('authorization', `Bearer ${token}`);
    expect(download.status).toBe(409);
    expect(download.headers['content-type']).toContain('application/problem+json');
  }, 180_000);
});
