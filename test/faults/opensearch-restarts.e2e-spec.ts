import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { type AppProcess, startProcess, testEnvironment, waitFor } from '@auditlog/testing';
import { expectStoredExactlyAcknowledged, fleetFor, tearDown } from './support/outcome';
import { type OwnOpenSearch, ownOpenSearch } from './support/own-opensearch';
import type { ProducerFleet } from './support/producers';
import { readStoredEvents } from './support/stored-events';

/** Nobody else uses this port: the suite kills the node behind it. */
const OWN_PORT = 9240;
const PRODUCERS = 50;
const BATCH = 20;
const RESTARTS = 3;
/** Acknowledged events to see between two faults, so each fault hits sustained ingest. */
const PROGRESS = 1000;

/**
 * The OpenSearch node is SIGKILLed (no flush, no clean shutdown) and started again three
 * times while 50 producers keep sending and retry whatever is refused. Afterwards the
 * stored set must be exactly the acknowledged set: no loss, no duplicate.
 */
describe('ingest while OpenSearch is SIGKILLed and restarted three times', () => {
  const setup = testEnvironment('faults-opensearch');
  const logFile = path.join(os.tmpdir(), `${setup.indexPrefix}.log`);
  let node: OwnOpenSearch;
  let client: Client;
  let ingest: AppProcess;
  let fleet: ProducerFleet | undefined;

  beforeAll(async () => {
    node = await ownOpenSearch('faults-opensearch', OWN_PORT);
    client = new Client({ node: node.url });
    ingest = await startProcess(
      'ingest',
      { ...setup.env, OPENSEARCH_URL: node.url, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
      { logFile },
    );
  }, 240_000);

  afterAll(async () => {
    try {
      await fleet?.abort();
      await node?.restart().catch(() => undefined);
      await tearDown({ ingest, client, prefix: setup.indexPrefix });
    } finally {
      await node?.release();
    }
  }, 120_000);

  it('stores exactly the acknowledged events', async () => {
    fleet = fleetFor(setup, ingest, PRODUCERS, BATCH);
    const producers = fleet;
    const progress = async (from: number, timeoutMs: number) =>
      waitFor(() => Promise.resolve(producers.acknowledged.size >= from + PROGRESS), {
        timeoutMs,
      });
    const refused = () => (producers.statuses.get(503) ?? 0) + (producers.statuses.get(429) ?? 0);
    fleet.start();
    await progress(0, 60_000);
    const downtimes: number[] = [];
    for (let fault = 0; fault < RESTARTS; fault++) {
      const refusedBefore = refused();
      const killedAt = Date.now();
      await node.kill();
      // Wait until ingest has noticed (requests refused), so each fault hits live traffic.
      await waitFor(() => Promise.resolve(refused() >= refusedBefore + PRODUCERS / 2), {
        timeoutMs: 60_000,
      });
      const acknowledgedWhileDown = producers.acknowledged.size;
      await node.restart();
      downtimes.push(Date.now() - killedAt);
      await progress(acknowledgedWhileDown, 120_000);
    }
    await fleet.stop();

    const stored = await readStoredEvents(client, setup.indexPrefix);
    const report = fleet.report();
    process.stdout.write(
      `opensearch restarts: ${RESTARTS} SIGKILLs (down ${downtimes.map((ms) => `${(ms / 1000).toFixed(0)} s`).join(', ')}), ` +
        `${JSON.stringify(report)}; stored ${stored.ids.length}\n`,
    );
    expect(report.statuses[503] ?? 0).toBeGreaterThan(0);
    expectStoredExactlyAcknowledged(fleet, stored);
  }, 600_000);
});
