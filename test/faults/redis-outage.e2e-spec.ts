import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AppProcess,
  startProcess,
  testClient,
  testEnvironment,
  type ThrowawayRedis,
  throwawayRedis,
  waitFor,
} from '@auditlog/testing';
import { expectStoredExactlyAcknowledged, fleetFor, tearDown } from './support/outcome';
import type { ProducerFleet } from './support/producers';
import { readStoredEvents } from './support/stored-events';

/** Nobody else uses this port: the suite kills the Redis behind it. */
const OWN_REDIS_PORT = 6391;
const PRODUCERS = 20;
const BATCH = 50;

/**
 * Ingest's events go to OpenSearch only; Redis is one of the conditions its readiness
 * reports (SPEC: `/health/ready` checks OpenSearch and Redis). So Redis SIGKILLed during an
 * ingest burst changes nothing for producers — every request is still answered, every
 * acknowledged event stored — while readiness says Redis is down until it is back.
 */
describe('ingest while Redis is SIGKILLed', () => {
  const redis: ThrowawayRedis = throwawayRedis(OWN_REDIS_PORT);
  const setup = testEnvironment('faults-redis', undefined, { REDIS_URL: redis.url });
  const client = testClient();
  let ingest: AppProcess;
  let fleet: ProducerFleet | undefined;

  beforeAll(async () => {
    await redis.start();
    ingest = await startProcess(
      'ingest',
      { ...setup.env, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
      { logFile: path.join(os.tmpdir(), `${setup.indexPrefix}.log`), waitFor: '/health/ready' },
    );
  }, 90_000);

  afterAll(async () => {
    await tearDown({ fleet, ingest, client, prefix: setup.indexPrefix });
    await redis.kill();
  }, 60_000);

  it('keeps acknowledging and storing every event; readiness reports Redis', async () => {
    fleet = fleetFor(setup, ingest, PRODUCERS, BATCH);
    const producers = fleet;
    fleet.start();
    await waitFor(() => Promise.resolve(producers.acknowledged.size >= 1000), {
      timeoutMs: 60_000,
    });
    await redis.kill();
    expect(await redis.answers()).toBe(false);
    const acknowledgedAtKill = producers.acknowledged.size;
    const requestsAtKill = producers.requests;

    await waitFor(() => Promise.resolve(producers.acknowledged.size >= acknowledgedAtKill + 2000), {
      timeoutMs: 60_000,
    });
    const notReady = await fetch(`${ingest.url}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { error: object }).error).toHaveProperty('redis');
    expect(await redis.answers()).toBe(false);
    const requestsWhileDown = producers.requests - requestsAtKill;

    await redis.start();
    await waitFor(async () => (await fetch(`${ingest.url}/health/ready`)).status === 200, {
      timeoutMs: 60_000,
    });
    await fleet.stop();

    const stored = await readStoredEvents(client, setup.indexPrefix);
    const report = fleet.report();
    process.stdout.write(
      `redis outage: ${requestsWhileDown} requests answered while Redis was down; ${JSON.stringify(report)}; stored ${stored.ids.length}\n`,
    );
    expect(requestsWhileDown).toBeGreaterThan(0);
    // Nothing failed (429 is back-pressure from a busy OpenSearch): producers do not notice.
    expect(report.connectionErrors).toBe(0);
    expect(
      Object.keys(report.statuses).filter((status) => !['200', '429'].includes(status)),
    ).toEqual([]);
    expectStoredExactlyAcknowledged(fleet, stored);
  }, 180_000);
});
