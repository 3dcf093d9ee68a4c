import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import {
  type AppProcess,
  dropPrefix,
  ownerToken,
  startProcess,
  startTlsRedis,
  testClient,
  testEnvironment,
  type TlsRedis,
  waitFor,
} from '@auditlog/testing';

/**
 * Redis over TLS with a private CA (`rediss://` or REDIS_TLS=true, REDIS_TLS_CA), as the
 * built apps run it: a redis-server of the suite's own that speaks only TLS, with a
 * certificate made for this run, and a password. The only Redis the processes know.
 */
describe('Redis over TLS with a private CA', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-redis-tls-'));
  const setup = testEnvironment('redis-tls', undefined, { EXPORT_DIR: exportDir });
  const processes: AppProcess[] = [];
  let redis: TlsRedis;
  let client: Client;
  let env: Record<string, string>;

  const start = async (...args: Parameters<typeof startProcess>) => {
    const started = await startProcess(...args);
    processes.push(started);
    return started;
  };
  const events = (count: number) => {
    const timestamp = new Date().toISOString();
    return Array.from({ length: count }, (_, index) => ({
      id: `tls-${index}`,
      timestamp,
      company_id: 'acme',
      action: 'flow.created',
      actor: { id: 'alice' },
    }));
  };

  beforeAll(async () => {
    client = testClient();
    redis = await startTlsRedis();
    env = {
      ...(setup.env as Record<string, string>),
      REDIS_URL: redis.url,
      REDIS_PASSWORD: redis.password,
      REDIS_TLS_CA: redis.caFile,
      // Logged at info, so that the Redis warnings of the refused case can be read.
      LOG_LEVEL: 'info',
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((started) => started.stop()));
    await redis?.stop();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  });

  it('ingests (the tail write fence registers in Redis) and runs an export job through BullMQ', async () => {
    const ingest = await start('ingest', env, { waitFor: '/health/ready', echo: false });
    const ingested = await fetch(`${ingest.url}/v1/events/batch`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${setup.keys.any.secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(events(25)),
    });
    expect(ingested.status).toBe(200);
    expect(await ingested.json()).toMatchObject({ created: 25, duplicates: 0, rejected: 0 });
    // Every write registered in Redis: none went unfenced.
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/auditlog_tail_unfenced_writes_total(\{[^}]*\})? 0\n/);
    const ready = await fetch(`${ingest.url}/health/ready`);
    expect(await ready.json()).toMatchObject({ info: { redis: { status: 'up' } } });

    const api = await start('export', env, { waitFor: '/health/ready', echo: false });
    await start('export-worker', env);
    const token = ownerToken(setup.jwtSecret, 'acme');
    const created = await fetch(`${api.url}/v1/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'over tls',
        format: 'ndjson',
        filters: {
          from: new Date(Date.now() - 3_600_000).toISOString(),
          to: new Date(Date.now() + 60_000).toISOString(),
          // The events sent above, not the appliance's own audit events of the company.
          action: 'flow.created',
        },
      }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const done = await waitFor(
      async () => {
        const response = await fetch(`${api.url}/v1/exports/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const record = (await response.json()) as { status: string; rows: number | null };
        return record.status !== 'queued' && record.status !== 'running' && record;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(done).toMatchObject({ status: 'completed', rows: 25 });
  }, 120_000);

  it('with a CA that did not sign the server certificate: alive, not ready, the log says why', async () => {
    const wrongCa = { ...env, REDIS_TLS_CA: redis.otherCaFile };
    const ingest = await start('ingest', wrongCa, { waitFor: '/health/live', echo: false });
    const ready = await fetch(`${ingest.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ details: { redis: { status: 'down' } } });
    const refusal = await waitFor(() =>
      Promise.resolve(ingest.logs().find((line) => line.context === 'Redis' && line.level === 40)),
    );
    expect(refusal.msg).toBe('unavailable: self-signed certificate in certificate chain');
    // The export worker has no readiness to report: its log says it, on every reconnect.
    const worker = await start('export-worker', wrongCa);
    const workerRefusal = await waitFor(() =>
      Promise.resolve(worker.logs().find((line) => line.level === 40)),
    );
    expect(workerRefusal).toMatchObject({
      context: 'ExportProcessor',
      msg: 'export worker: Error: self-signed certificate in certificate chain',
    });
    // A worker that never reached Redis has no job to finish: SIGTERM ends it at once.
    const stopping = Date.now();
    // (Nest re-raises the signal once its shutdown hooks have run.)
    expect(await worker.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - stopping).toBeLessThan(10_000);
  }, 60_000);
});
