import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { dropPrefix, startApp, testEnvironment, waitFor, itemAt } from '@auditlog/testing';
import { ensureServices } from '../scripts/services';
import { startOpenSearch, stopOpenSearch } from '../scripts/services/opensearch';
import { IngestModule } from '../apps/ingest/src/ingest.module';

/**
 * OpenSearch goes away in the middle of a stream of batches and comes back. This suite
 * runs its OWN single node (own services dir and port), never the shared one.
 */
const OWN_PORT = '9210';
const OWN_SERVICES_DIR = path.join(
  process.getuid?.() === 0 ? '/var/tmp' : os.tmpdir(),
  'auditlog-ingest-faults',
);
const SENDERS = 4;
const BATCH = 50;

interface Outcome {
  acknowledged: Set<string>;
  refusals: Array<{ status: number; retryAfter?: string }>;
}

describe('ingest while OpenSearch stops and restarts', () => {
  const setup = testEnvironment('ingest-faults');
  const key = setup.keys.any.secret;
  const saved = {
    OPENSEARCH_URL: process.env.OPENSEARCH_URL,
    AUDITLOG_SERVICES_DIR: process.env.AUDITLOG_SERVICES_DIR,
    AUDITLOG_OPENSEARCH_PORT: process.env.AUDITLOG_OPENSEARCH_PORT,
    AUDITLOG_OPENSEARCH_HEAP: process.env.AUDITLOG_OPENSEARCH_HEAP,
  };
  let ownNodeStarted = false;
  let client: Client;
  let app: INestApplication;
  // Producers retry until stored; a failed or timed-out test must not leave them retrying
  // against the closed app, which would keep the Jest worker alive after the run.
  let abandoned = false;
  let producers: Array<Promise<void>> = [];

  beforeAll(async () => {
    // The services scripts act on the node the environment selects: point them at ours.
    delete process.env.OPENSEARCH_URL;
    process.env.AUDITLOG_SERVICES_DIR = OWN_SERVICES_DIR;
    process.env.AUDITLOG_OPENSEARCH_PORT = OWN_PORT;
    process.env.AUDITLOG_OPENSEARCH_HEAP = '512m';
    const { opensearchUrl } = await ensureServices({ log: () => undefined });
    ownNodeStarted = true;
    expect(opensearchUrl).toBe(`http://127.0.0.1:${OWN_PORT}`);
    client = new Client({ node: opensearchUrl });
    app = await startApp('ingest', IngestModule, { ...setup.env, OPENSEARCH_URL: opensearchUrl });
  }, 150_000);

  afterAll(async () => {
    abandoned = true;
    await Promise.allSettled(producers);
    try {
      await app?.close();
      if (client) await dropPrefix(client, setup.indexPrefix).catch(() => undefined);
      await client?.close();
    } finally {
      if (ownNodeStarted) await stopOpenSearch({ log: () => undefined });
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }, 60_000);

  it('refuses with 503/429 while down and keeps every acknowledged event exactly once', async () => {
    const outcome: Outcome = { acknowledged: new Set(), refusals: [] };
    let running = true;
    let sent = 0;
    // A test that timed out goes on running: once afterAll has abandoned it, go no further
    // (above all, do not start the node again after afterAll stopped it).
    const until = async (condition: () => boolean, timeoutMs: number): Promise<void> => {
      await waitFor(() => Promise.resolve(abandoned || condition()), { timeoutMs });
      if (abandoned) throw new Error('abandoned by afterAll');
    };

    /** A producer as documented: retry refused requests and the rejected items of a 207. */
    const sendUntilStored = async (events: Array<Record<string, unknown>>): Promise<void> => {
      let pending = events;
      while (pending.length > 0 && !abandoned) {
        const response = await request(app.getHttpServer())
          .post('/v1/events/batch')
          .set('Authorization', `Bearer ${key}`)
          .send(pending);
        if (response.status === 503 || response.status === 429) {
          outcome.refusals.push({
            status: response.status,
            retryAfter: response.headers['retry-after'],
          });
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        expect([200, 207]).toContain(response.status);
        const results = response.body.results as Array<{ id: string; status: string }>;
        for (const result of results) {
          if (result.status !== 'rejected') outcome.acknowledged.add(result.id);
        }
        pending = pending.filter(
          (_, index) => itemAt(results, index, 'batch result').status === 'rejected',
        );
      }
    };

    const sender = async (senderId: number): Promise<void> => {
      for (let batch = 0; running && !abandoned; batch++) {
        const events = Array.from({ length: BATCH }, (_, i) => ({
          id: `s${senderId}-b${batch}-e${i}`,
          timestamp: new Date().toISOString(),
          company_id: 'acme',
          action: 'flow.created',
          actor: { id: 'producer' },
        }));
        sent += events.length;
        await sendUntilStored(events);
      }
    };

    const senders = Array.from({ length: SENDERS }, (_, id) => sender(id));
    producers = senders;
    await until(() => outcome.acknowledged.size >= 400, 30_000);

    await stopOpenSearch({ log: () => undefined });
    await until(() => outcome.refusals.length >= 5, 20_000);
    const acknowledgedWhileDown = outcome.acknowledged.size;

    await startOpenSearch({ log: () => undefined });
    await until(() => outcome.acknowledged.size >= acknowledgedWhileDown + 400, 60_000);
    running = false;
    await Promise.all(senders);

    expect(outcome.refusals.length).toBeGreaterThanOrEqual(5);
    for (const refusal of outcome.refusals) {
      expect([503, 429]).toContain(refusal.status);
      expect(Number(refusal.retryAfter)).toBeGreaterThan(0);
    }
    // Every sender retried until stored, so everything sent was acknowledged.
    expect(outcome.acknowledged.size).toBe(sent);

    const index = `${setup.indexPrefix}-events-*`;
    await client.indices.refresh({ index });
    const { body } = await client.search({
      index,
      body: {
        size: 0,
        aggs: {
          ids: {
            terms: { field: 'id', size: 100_000, min_doc_count: 2 } as Record<string, unknown>,
          },
        },
      },
      track_total_hits: true,
    });
    const total = (body.hits.total as { value: number }).value;
    const repeated = (body.aggregations as { ids: { buckets: unknown[] } }).ids.buckets;
    expect(repeated).toEqual([]);
    expect(total).toBe(outcome.acknowledged.size);
    const { body: missing } = await client.search({
      index,
      body: {
        size: 0,
        query: { bool: { must_not: { terms: { id: [...outcome.acknowledged] } } } },
      },
    });
    expect((missing.hits.total as { value: number }).value).toBe(0);
  }, 150_000);
});
