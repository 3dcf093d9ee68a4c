import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { seedEvents } from '../query/seed';
import { dropExportQueue, ensureBuild, exportCompleted } from './support';

/** A real HTTP receiver on loopback; `answer: false` accepts requests and never answers. */
async function receiver(
  answer: boolean,
): Promise<{ server: Server; port: number; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(body);
      if (answer) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, bodies };
}

/**
 * Export completion webhooks behind the egress guard (docs/security.md#outbound-connections):
 * the export API refuses literal internal addresses at creation; the worker resolves names
 * once, refuses what the policy does not allow, and times out a receiver that never answers.
 * The API runs with the default policy; each worker with the policy under test.
 */
describe('export webhooks: egress policy', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-webhook-egress-'));
  const setup = testEnvironment('export-webhook-egress', undefined, {
    EXPORT_DIR: exportDir,
    EXPORT_WEBHOOK_SECRET: 'h'.repeat(40),
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
  });
  const acme = ownerToken(setup.jwtSecret, 'acme');
  const from = new Date(Date.now() - 3_600_000).toISOString();
  let client: Client;
  let app: INestApplication;
  let buildDir: string;
  let listening: Awaited<ReturnType<typeof receiver>>;
  let silent: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    client = testClient();
    const building = ensureBuild();
    app = await startApp('export', ExportModule, setup.env);
    await seedEvents(
      client,
      setup.indexPrefix,
      [0, 1, 2].map((index) => ({
        id: `w-${index}`,
        company_id: 'acme',
        timestamp: new Date(Date.now() - 60_000 - index * 1000).toISOString(),
      })),
    );
    listening = await receiver(true);
    silent = await receiver(false);
    buildDir = await building;
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await dropExportQueue(setup.env.REDIS_URL as string, setup.indexPrefix);
    listening?.server.close();
    silent?.server.closeAllConnections();
    silent?.server.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  }, 60_000);

  const create = (webhookUrl: string) =>
    request(app.getHttpServer())
      .post('/v1/exports')
      .set('authorization', `Bearer ${acme}`)
      .send({ name: 'hooked', format: 'ndjson', filters: { from }, webhook_url: webhookUrl });
  const completed = (id: string) => exportCompleted(app.getHttpServer(), id, acme);
  const undelivered = (worker: AppProcess, id: string) =>
    waitFor(
      () =>
        Promise.resolve(
          worker
            .logs()
            .find((line) => line.msg === 'export webhook not delivered' && line.id === id),
        ),
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  describe('at creation (default policy)', () => {
    it.each([
      ['http://169.254.169.254/latest/meta-data/', 'a link-local address'],
      ['http://[::ffff:169.254.169.254]/', 'a link-local address'],
      ['http://127.0.0.1:8080/hook', 'a loopback address'],
      ['http://2130706433/hook', 'a loopback address'],
      ['http://[::1]/hook', 'a loopback address'],
      ['http://0.0.0.0:3003/', 'an unspecified address'],
      ['http://10.0.0.8/hook', 'a private address'],
      ['https://192.168.1.10/hook', 'a private address'],
      ['gopher://hooks.example.com/', 'http(s) URL'],
      ['file:///etc/passwd', 'http(s) URL'],
    ])('refuses %s with 400 naming webhook_url, stores nothing', async (url, reason) => {
      const response = await create(url);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors).toEqual([
        { path: 'webhook_url', message: expect.stringContaining(reason) as string },
      ]);
      const list = await request(app.getHttpServer())
        .get('/v1/exports')
        .set('authorization', `Bearer ${acme}`);
      expect(list.body.data).toEqual([]);
    });
  });

  describe('at delivery, default policy', () => {
    let worker: AppProcess | undefined;
    beforeAll(async () => {
      worker = await startProcess('export-worker', setup.env, { cwd: buildDir });
    }, 60_000);
    afterAll(() => stopProcess(worker), 30_000);

    it('refuses a name that resolves to loopback (localhost): nothing arrives, the job completes', async () => {
      const created = await create(`http://localhost:${listening.port}/hook`);
      expect(created.status).toBe(202);
      const id = created.body.id as string;
      await completed(id);
      const line = await undelivered(worker as AppProcess, id);
      expect(line).toMatchObject({ code: 'EGRESS_REFUSED', delivered: false, attempts: 1 });
      expect(line.error).toContain('Refused to connect to localhost: it resolved to 127.0.0.1');
      expect(listening.bodies.filter((body) => body.includes(id))).toEqual([]);
      expect(worker?.child.exitCode).toBeNull();
    }, 60_000);
  });

  describe('at delivery, 127.0.0.0/8 allowed', () => {
    let worker: AppProcess | undefined;
    beforeAll(async () => {
      worker = await startProcess(
        'export-worker',
        {
          ...setup.env,
          EGRESS_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
          EXPORT_WEBHOOK_TIMEOUT_SECONDS: '1',
        },
        { cwd: buildDir },
      );
    }, 60_000);
    afterAll(() => stopProcess(worker), 30_000);

    it('delivers to localhost', async () => {
      const created = await create(`http://localhost:${listening.port}/hook`);
      const id = created.body.id as string;
      await completed(id);
      const body = await waitFor(() =>
        Promise.resolve(listening.bodies.find((entry) => entry.includes(id))),
      );
      expect(JSON.parse(body)).toMatchObject({ event: 'export.completed', export: { id } });
      expect(
        (worker as AppProcess).logs().some((line) => line.msg === 'export webhook not delivered'),
      ).toBe(false);
    }, 60_000);

    it('times out a receiver that never answers, three attempts, and keeps working', async () => {
      const created = await create(`http://localhost:${silent.port}/hook`);
      const id = created.body.id as string;
      await completed(id);
      const line = await undelivered(worker as AppProcess, id);
      expect(line).toMatchObject({ code: 'ETIMEDOUT', delivered: false, attempts: 3 });
      expect(line.error).toContain('no answer within 1 s');
      expect(silent.bodies.filter((body) => body.includes(id))).toHaveLength(3);
      // The worker is still there and takes the next job.
      const next = await create(`http://localhost:${listening.port}/hook`);
      await completed(next.body.id as string);
      await waitFor(() =>
        Promise.resolve(listening.bodies.find((entry) => entry.includes(next.body.id as string))),
      );
    }, 90_000);
  });
});
