import {
  type AppProcess,
  dropPrefix,
  freePort,
  startProcess,
  startThrowawayRedis,
  testClient,
  testEnvironment,
  type ThrowawayRedis,
  waitFor,
} from '@auditlog/testing';

interface Health {
  status: string;
  details: Record<string, { status: string; message?: string }>;
}

/** The maintenance worker started while Redis is away: up, not ready, then working. */
describe('the maintenance worker when Redis is away at start', () => {
  let redisPort: number;
  let healthPort: number;
  let redis: ThrowawayRedis | undefined;
  let worker: AppProcess | undefined;
  const setup = testEnvironment('maint-redis', undefined, {
    RETENTION_SWEEP_INTERVAL_SECONDS: '1',
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '1',
  });

  const health = async (path: string): Promise<{ status: number; body: Health }> => {
    const response = await fetch(`http://127.0.0.1:${healthPort}${path}`);
    return { status: response.status, body: (await response.json()) as Health };
  };

  beforeAll(async () => {
    redisPort = await freePort();
    healthPort = await freePort();
  });

  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
    const client = testClient();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('stays alive but not ready, then installs its schedulers and runs jobs once Redis is up', async () => {
    worker = await startProcess('maintenance', {
      ...setup.env,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      MAINTENANCE_HEALTH_PORT: String(healthPort),
    });
    const down = await health('/health/ready');
    expect(down.status).toBe(503);
    expect(down.body.details.redis?.status).toBe('down');
    expect(down.body.details.schedules?.status).toBe('down');
    expect((await health('/health/live')).status).toBe(200);

    redis = await startThrowawayRedis(redisPort);
    const ready = await waitFor(
      async () => {
        const answer = await health('/health/ready');
        return answer.status === 200 ? answer : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(ready.body.details).toMatchObject({
      worker: { status: 'up' },
      schedules: { status: 'up' },
      redis: { status: 'up' },
      opensearch: { status: 'up' },
    });
    // The schedulers produce jobs, and the worker runs them.
    await waitFor(
      () => {
        const names = new Set(
          worker!
            .logs()
            .filter((line) => line.event === 'maintenance.job_done')
            .map((line) => line.job),
        );
        return Promise.resolve(names.has('retention.sweep') && names.has('exports.maintain'));
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(worker.child.exitCode).toBeNull();
  }, 150_000);

  it('puts its schedulers back when Redis restarts empty', async () => {
    const doneBefore = worker!
      .logs()
      .filter((line) => line.event === 'maintenance.job_done').length;
    await redis!.restart();
    // The restarted Redis holds no schedulers; only a re-install makes jobs run again.
    await waitFor(
      () => {
        const done = worker!.logs().filter((line) => line.event === 'maintenance.job_done');
        const after = done.slice(doneBefore).map((line) => line.job);
        return Promise.resolve(
          after.includes('retention.sweep') && after.includes('exports.maintain'),
        );
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(worker!.child.exitCode).toBeNull();
  }, 90_000);
});
