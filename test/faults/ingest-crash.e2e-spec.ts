import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import {
  type AppProcess,
  startProcess,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { expectStoredExactlyAcknowledged, fleetFor, tearDown } from './support/outcome';
import type { ProducerFleet } from './support/producers';
import { missingFrom, readStoredEvents, repeated } from './support/stored-events';

const PRODUCERS = 20;
const BATCH = 50;

/**
 * The ingest process is SIGKILLed while requests are in flight: no shutdown hook runs, no
 * queue drains. What was acknowledged must be stored; what was not may be missing but
 * never half-written; producers retrying the unacknowledged batches against a restarted
 * process then leave every event stored exactly once.
 */
describe('ingest process SIGKILLed with requests in flight', () => {
  const setup = testEnvironment('faults-ingest-crash');
  const env = { ...setup.env, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  const logFile = path.join(os.tmpdir(), `${setup.indexPrefix}.log`);
  let client: Client;
  let ingest: AppProcess;
  let fleet: ProducerFleet | undefined;

  beforeAll(async () => {
    client = testClient();
    ingest = await startProcess('ingest', env, { logFile });
  }, 90_000);

  afterAll(() => tearDown({ fleet, ingest, client, prefix: setup.indexPrefix }), 60_000);

  it('stores every acknowledged event, only whole events, and nothing twice after retries', async () => {
    fleet = fleetFor(setup, ingest, PRODUCERS, BATCH);
    fleet.start();
    const producers = fleet;
    await waitFor(() => Promise.resolve(producers.acknowledged.size >= 2000), {
      timeoutMs: 60_000,
    });
    await waitFor(() => Promise.resolve(producers.inFlight >= PRODUCERS / 2), {
      timeoutMs: 10_000,
      intervalMs: 5,
    });
    const inFlightAtKill = fleet.inFlight;
    await ingest.kill('SIGKILL');
    expect(ingest.child.signalCode).toBe('SIGKILL');
    const acknowledgedAtKill = new Set(fleet.acknowledged);
    const sentAtKill = new Set(fleet.sent);

    // Bulk requests the process had already handed to OpenSearch may still complete:
    // take the snapshot once the stored count stops changing.
    let previous = -1;
    const snapshot = await waitFor(
      async () => {
        const stored = await readStoredEvents(client, setup.indexPrefix);
        const settled = stored.ids.length === previous;
        previous = stored.ids.length;
        return settled ? stored : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    expect(fleet.acknowledged.size).toBe(acknowledgedAtKill.size); // nobody answers any more
    expect(missingFrom(acknowledgedAtKill, snapshot.ids)).toEqual([]);
    expect(missingFrom(snapshot.ids, sentAtKill)).toEqual([]);
    expect(snapshot.broken).toEqual([]);
    expect(repeated(snapshot.ids)).toEqual([]);
    const unacknowledged = sentAtKill.size - acknowledgedAtKill.size;
    expect(unacknowledged).toBeGreaterThan(0);
    const storedUnacknowledged = snapshot.ids.length - acknowledgedAtKill.size;

    // Same port, same configuration: the producers' retries reach the new process.
    ingest = await startProcess('ingest', env, { logFile, port: ingest.port });
    await waitFor(
      () => Promise.resolve(producers.acknowledged.size >= acknowledgedAtKill.size + 2000),
      {
        timeoutMs: 60_000,
      },
    );
    await fleet.stop();

    const final = await readStoredEvents(client, setup.indexPrefix);
    expectStoredExactlyAcknowledged(fleet, final);
    process.stdout.write(
      `ingest crash: ${inFlightAtKill} requests in flight at SIGKILL, ${acknowledgedAtKill.size} acknowledged and stored, ` +
        `${unacknowledged} unacknowledged of which ${storedUnacknowledged} were stored whole; after restart and retries ` +
        `${final.ids.length} stored = ${fleet.sent.size} sent, no duplicates\n`,
    );
  }, 180_000);
});
