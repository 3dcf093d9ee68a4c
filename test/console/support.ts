import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { Redis } from 'ioredis';
import type { Env } from '@auditlog/config';
import {
  adminToken,
  type AppProcess,
  dropPrefix,
  freePort,
  keyLine,
  newSecret,
  ownerToken,
  startProcess,
  stopProcess,
  testClient,
  testEnvironment,
  type TestKey,
  waitFor,
} from '@auditlog/testing';
import { dropExportQueue } from '../export/support';
import { dropMaintenanceQueue } from '../maintenance/support';
import { COMPANY_A, COMPANY_B, type SeedInput, seedEvents } from './seed';

const ROOT = path.resolve(__dirname, '../..');

/** One built HTTP app on its port, ready (`/health/ready`), through the test harness. */
function startBuilt(kind: 'ingest' | 'query' | 'export', env: Env, port: number) {
  return startProcess(kind, env, {
    port,
    waitFor: '/health/ready',
    echo: false,
    startTimeoutMs: 90_000,
  });
}

export interface ViewerTokenRequest {
  company_id: string;
  subject: string;
  roles?: string[];
  filters?: Record<string, string | string[]>;
  permissions?: string[];
  ttl_seconds?: number;
}

export interface ViewerToken {
  token: string;
  expires_at: string;
  url: string;
}

export interface ConsoleStack {
  ingestUrl: string;
  queryUrl: string;
  exportUrl: string;
  /** `<query origin>/console/` */
  consoleUrl: string;
  indexPrefix: string;
  jwtSecret: string;
  ownerA: string;
  ownerB: string;
  admin: string;
  /** The instant the seed's timestamps are relative to. */
  seededAt: number;
  seeded: SeedInput[];
  ingest(events: SeedInput[]): Promise<void>;
  /** Polls the query API (as admin) until every id is searchable in its company. */
  waitSearchable(events: SeedInput[]): Promise<void>;
  mintViewerToken(body: ViewerTokenRequest): Promise<ViewerToken>;
  /** A console URL with the query string (filters etc.) and no sign-in. */
  console(query?: string): string;
  /** Everything the apps printed, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The real appliance for one console suite: ingest, query (serving dist/console), export and
 * the export worker from the production build, on free ports, with the suite's own index and
 * Redis key prefixes; the seed ingested through the ingest API and searchable.
 */
export interface ConsoleStackOptions {
  /** Extra or overriding environment for every process. */
  env?: Env;
  /** Also run the maintenance worker (digest sealing for the integrity tab). */
  maintenance?: boolean;
}

export async function startConsoleStack(
  suite: string,
  { env = {}, maintenance: withMaintenance = false }: ConsoleStackOptions = {},
): Promise<ConsoleStack> {
  // CONSOLE_DIR may name another build of the console (e.g. one not rebuilt under a running suite).
  const consoleDir = process.env.CONSOLE_DIR ?? path.join(ROOT, 'dist', 'console');
  const built = path.join(consoleDir, 'index.html');
  if (!existsSync(built))
    throw new Error(`${built} is missing: the console build failed (see the global setup output)`);
  const [ingestPort, queryPort, exportPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const exportUrl = `http://127.0.0.1:${exportPort}`;
  const exportDir = mkdtempSync(path.join(tmpdir(), `auditlog-${suite}-exports-`));
  const viewerKey: TestKey = { id: 'host-platform', secret: newSecret(), companies: '*' };
  const setup = testEnvironment(suite, [{ id: 'producer', companies: '*' }], {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    EXPORT_DIR: exportDir,
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    CONSOLE_DIR: consoleDir,
    CONSOLE_EXPORT_URL: exportUrl,
    CONSOLE_PUBLIC_URL: queryUrl,
    CORS_ALLOWED_ORIGINS: queryUrl,
    VIEWER_TOKEN_KEYS: keyLine(viewerKey),
    ...env,
  });
  const ingestKey = setup.keys.producer.secret;
  const client: Client = testClient();
  const served: AppProcess[] = [];
  let worker: AppProcess | undefined;
  let maintenance: AppProcess | undefined;

  const stopAll = async () => {
    await stopProcess(worker);
    await maintenance?.stop();
    await Promise.all(served.map((app) => app.kill()));
  };
  try {
    // Query first: its storage setup puts the index templates in place before any event.
    served.push(await startBuilt('query', setup.env, queryPort));
    served.push(
      ...(await Promise.all([
        startBuilt('ingest', setup.env, ingestPort),
        startBuilt('export', setup.env, exportPort),
      ])),
    );
    worker = await startProcess('export-worker', setup.env, { cwd: ROOT });
    if (withMaintenance) maintenance = await startProcess('maintenance', setup.env);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const logs = () =>
    [
      ...served.map((app) => `--- ${app.kind}\n${app.output()}`),
      `--- export worker\n${worker?.output() ?? ''}`,
      `--- maintenance\n${maintenance?.output() ?? ''}`,
    ].join('\n');
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  const admin = adminToken(setup.jwtSecret, { expiresIn: '2h' });

  const ingest = async (events: SeedInput[]) => {
    const response = await fetch(`${ingestUrl}/v1/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${body}`);
  };
  const waitSearchable = async (events: SeedInput[]) => {
    const companies = [...new Set(events.map((event) => event.company_id))];
    await waitFor(
      async () => {
        for (const company of companies) {
          const ids = events.filter((e) => e.company_id === company).map((e) => e.id);
          const url = new URL(`${queryUrl}/v1/events`);
          url.searchParams.set('company_id', company);
          url.searchParams.set('from', new Date(Date.now() - 7 * 86_400_000).toISOString());
          url.searchParams.set('limit', '1000');
          const response = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
          if (!response.ok) return false;
          const page = (await response.json()) as { data: Array<{ id: string }> };
          const found = new Set(page.data.map((event) => event.id));
          if (!ids.every((id) => found.has(id))) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  };
  const seededAt = Date.now();
  const seeded = seedEvents(seededAt);
  try {
    await ingest(seeded);
    await waitSearchable(seeded);
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    ingestUrl,
    queryUrl,
    exportUrl,
    consoleUrl: `${queryUrl}/console/`,
    indexPrefix: setup.indexPrefix,
    jwtSecret: setup.jwtSecret,
    ownerA: ownerToken(setup.jwtSecret, COMPANY_A, { expiresIn: '2h' }),
    ownerB: ownerToken(setup.jwtSecret, COMPANY_B, { expiresIn: '2h' }),
    admin,
    seededAt,
    seeded,
    ingest,
    waitSearchable,
    async mintViewerToken(body) {
      const response = await fetch(`${queryUrl}/v1/viewer-tokens`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${viewerKey.secret}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== 201)
        throw new Error(`POST /v1/viewer-tokens answered ${response.status}: ${text}`);
      return JSON.parse(text) as ViewerToken;
    },
    console: (query = '') => `${queryUrl}/console/${query ? `?${query.replace(/^\?/, '')}` : ''}`,
    logs,
    async stop() {
      await stopAll();
      // What the apps printed, kept for a failing run: <tmp>/auditlog-<suite>-stack.log.
      writeFileSync(path.join(tmpdir(), `auditlog-${suite}-stack.log`), logs());
      await dropPrefix(client, setup.indexPrefix);
      await dropExportQueue(setup.env.REDIS_URL ?? '', setup.indexPrefix);
      if (withMaintenance) await dropMaintenanceQueue(setup.env.REDIS_URL ?? '', setup.indexPrefix);
      await dropRedisKeys(setup.env.REDIS_URL ?? '', setup.indexPrefix);
      await client.close();
      rmSync(exportDir, { recursive: true, force: true });
    },
  };
}

/** Removes every Redis key under the suite's prefix (viewer tokens, rate counters…). */
async function dropRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
