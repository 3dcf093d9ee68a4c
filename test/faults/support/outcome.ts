import type { Client } from '@opensearch-project/opensearch';
import { type AppProcess, dropPrefix, type TestEnvironment } from '@auditlog/testing';
import { ProducerFleet } from './producers';
import { missingFrom, repeated, type StoredSet } from './stored-events';

/** A fleet of producers sending as the suite's own ingest key, event ids unique to the suite. */
export function fleetFor(
  setup: TestEnvironment<'any'>,
  ingest: AppProcess,
  producers: number,
  batch: number,
): ProducerFleet {
  return new ProducerFleet({
    url: ingest.url,
    key: setup.keys.any.secret,
    producers,
    batch,
    runId: setup.indexPrefix,
  });
}

/**
 * The promise of the product, after the producers finished: everything sent was
 * acknowledged (they retry until it is), and what is stored is exactly that set, each
 * event once and whole; nothing was answered in a way a producer could not handle.
 */
export function expectStoredExactlyAcknowledged(fleet: ProducerFleet, stored: StoredSet): void {
  expect(fleet.unexpected).toEqual([]);
  expect(fleet.refusalsWithoutRetryAfter).toBe(0);
  expect(fleet.acknowledged.size).toBe(fleet.sent.size);
  expect(repeated(stored.ids)).toEqual([]);
  expect(missingFrom(fleet.acknowledged, stored.ids)).toEqual([]);
  expect(stored.ids.length).toBe(fleet.acknowledged.size);
  expect(stored.broken).toEqual([]);
}

/** Stops producers and the ingest process, and drops the suite's indices. */
export async function tearDown(parts: {
  fleet?: ProducerFleet;
  ingest?: AppProcess;
  client?: Client;
  prefix: string;
}): Promise<void> {
  await parts.fleet?.abort();
  await parts.ingest?.kill('SIGKILL');
  if (parts.client) await dropPrefix(parts.client, parts.prefix).catch(() => undefined);
  await parts.client?.close();
}
