import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type AppProcess, startProcess, testClient, testEnvironment } from '@auditlog/testing';
import { expectStoredExactlyAcknowledged, fleetFor, tearDown } from './support/outcome';
import type { ProducerFleet } from './support/producers';
import { readStoredEvents } from './support/stored-events';

/** Scale knobs for longer runs; the defaults keep the suite inside its time budget. */
const PRODUCERS = Number(process.env.AUDITLOG_FAULTS_LOAD_PRODUCERS ?? 200);
const SECONDS = Number(process.env.AUDITLOG_FAULTS_LOAD_SECONDS ?? 20);
const BATCH = 10;
const REPORT_DIR = path.resolve(process.env.AUDITLOG_FAULTS_REPORT_DIR ?? 'test-results/faults');

/**
 * Many producers at once for a bounded time against one ingest process: the only
 * refusals allowed are 429/503 with Retry-After (back-pressure), and every acknowledged
 * event is stored. Ack latency percentiles and counts are printed and written to
 * test-results/faults/load.json.
 */
describe(`load: ${PRODUCERS} concurrent producers for ${SECONDS} s`, () => {
  const setup = testEnvironment('faults-load');
  const client = testClient();
  let ingest: AppProcess;
  let fleet: ProducerFleet | undefined;

  beforeAll(async () => {
    ingest = await startProcess(
      'ingest',
      { ...setup.env, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
      { logFile: path.join(os.tmpdir(), `${setup.indexPrefix}.log`) },
    );
  }, 90_000);

  afterAll(() => tearDown({ fleet, ingest, client, prefix: setup.indexPrefix }), 60_000);

  it('answers only 200/207 or 429/503 with Retry-After, and stores every acknowledged event', async () => {
    fleet = fleetFor(setup, ingest, PRODUCERS, BATCH);
    const started = Date.now();
    fleet.start();
    await new Promise((done) => setTimeout(done, SECONDS * 1000));
    await fleet.stop();
    const seconds = (Date.now() - started) / 1000;

    const stored = await readStoredEvents(client, setup.indexPrefix);
    const report = {
      test: 'load',
      at: new Date().toISOString(),
      seconds: Math.round(seconds * 10) / 10,
      acknowledgedPerSecond: Math.round(fleet.acknowledged.size / seconds),
      ...fleet.report(),
      stored: stored.ids.length,
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => l.toFixed(2)) },
    };
    mkdirSync(REPORT_DIR, { recursive: true });
    writeFileSync(path.join(REPORT_DIR, 'load.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`load: ${JSON.stringify(report)}\n`);

    const failures = Object.keys(report.statuses).filter(
      (status) => !['200', '207', '429', '503'].includes(status),
    );
    expect(failures).toEqual([]);
    expect(report.connectionErrors).toBe(0);
    expect(report.acknowledgedEvents).toBeGreaterThan(0);
    expectStoredExactlyAcknowledged(fleet, stored);
  }, 180_000);
});
