import { eventHash } from '@auditlog/events';
import { buildDigest, type Digest } from './digest';
import {
  EXAMPLE_EVENTS,
  EXAMPLE_KEY_ID,
  EXAMPLE_PRIVATE_KEY_PEM,
  EXAMPLE_PUBLIC_KEY_PEM,
  itemAt,
} from '@auditlog/testing';
import { parsePublicKey, signingKeyFromPem } from './keys';
import { type CheckedEvent, Verifier } from './verifier';

const key = signingKeyFromPem(EXAMPLE_PRIVATE_KEY_PEM, EXAMPLE_KEY_ID);
const keys = new Map([[EXAMPLE_KEY_ID, parsePublicKey(EXAMPLE_PUBLIC_KEY_PEM)]]);
const hour = (h: number) => new Date(Date.UTC(2026, 0, 1, h)).toISOString();

function chain(windows: Array<readonly CheckedEvent[]>): Digest[] {
  const digests: Digest[] = [];
  windows.forEach((events, index) => {
    digests.push(
      buildDigest(
        {
          companyId: 'acme',
          windowStart: hour(index),
          windowEnd: hour(index + 1),
          events,
          previous: digests[index - 1] ?? null,
          keyId: key.keyId,
          createdAt: hour(index + 1),
        },
        key.privateKey,
      ),
    );
  });
  return digests;
}

function verify(digests: Digest[], events: readonly CheckedEvent[], expiredBefore?: string) {
  const verifier = new Verifier({ digests, predecessor: null, keys, expiredBefore });
  events.forEach((event) => verifier.addEvent(event));
  return verifier.finish();
}

const late: CheckedEvent = (() => {
  const event = { ...EXAMPLE_EVENTS[0], id: 'evt-3', received_at: hour(1), timestamp: hour(1) };
  return { ...event, hash: eventHash(event) };
})();

describe('Verifier', () => {
  const events: CheckedEvent[] = [...EXAMPLE_EVENTS, late];
  const digests = chain([EXAMPLE_EVENTS, [late], []]);

  it('reports ok for untouched events and digests', () => {
    const report = verify(digests, events);
    expect(report).toMatchObject({ status: 'ok', digests: 3, events: 3, modified: [], chain: [] });
  });

  it('names a modified, a missing and an unexpected event', () => {
    const changed = { ...EXAMPLE_EVENTS[0], action: 'flow.renamed' };
    const forgedBase = { ...EXAMPLE_EVENTS[1], id: 'evt-forged' };
    const forged = { ...forgedBase, hash: eventHash(forgedBase) };
    const report = verify(digests, [changed, forged, late]);
    expect(report.status).toBe('failed');
    expect(report.modified).toEqual([{ id: 'evt-1', window_start: hour(0), reason: 'content' }]);
    expect(report.missing).toEqual([{ id: 'evt-2', window_start: hour(0) }]);
    expect(report.unexpected).toEqual([{ id: 'evt-forged', received_at: forged.received_at }]);
  });

  it('flags an event re-hashed after modification as differing from its sealed hash', () => {
    const changedBase = { ...EXAMPLE_EVENTS[0], action: 'flow.renamed' };
    const rehashed = { ...changedBase, hash: eventHash(changedBase) };
    const report = verify(digests, [rehashed, EXAMPLE_EVENTS[1], late]);
    expect(report.modified).toEqual([{ id: 'evt-1', window_start: hour(0), reason: 'hash' }]);
  });

  it('reports windows past retention as expired, not missing', () => {
    const report = verify(digests, [late], hour(1));
    expect(report.missing).toEqual([]);
    expect(report.expired).toEqual([
      { window_start: hour(0), window_end: hour(1), event_count: 2 },
    ]);
    expect(report.status).toBe('ok');
  });

  it('detects an altered digest, a deleted digest and a foreign key', () => {
    const altered = digests.map((digest, i) => (i === 1 ? { ...digest, event_count: 5 } : digest));
    const alteredReport = verify(altered, events);
    expect(alteredReport.chain.map((problem) => [problem.window_start, problem.problem])).toEqual([
      [hour(1), 'bad_signature'],
      [hour(1), 'bad_event_count'],
      [hour(2), 'broken_link'],
    ]);

    const deleted = verify([itemAt(digests, 0, 'digest'), itemAt(digests, 2, 'digest')], events);
    expect(deleted.chain.map((problem) => problem.problem)).toEqual(['gap', 'broken_link']);
    expect(deleted.unexpected.map((event) => event.id)).toEqual(['evt-3']);

    const unknown = new Verifier({ digests, keys: new Map() }).finish();
    expect(unknown.chain.filter((problem) => problem.problem === 'unknown_key')).toHaveLength(3);
  });

  it('checks the first link against the predecessor it is given', () => {
    const report = new Verifier({ digests: digests.slice(1), predecessor: null, keys }).finish();
    expect(report.chain).toEqual([
      expect.objectContaining({ window_start: hour(1), problem: 'broken_link' }),
    ]);
    const linked = new Verifier({ digests: digests.slice(1), predecessor: digests[0], keys });
    expect(linked.finish().chain).toEqual([]);
  });

  it('counts events outside the digests as unsealed or pending, not unexpected', () => {
    const early = { ...late, id: 'early', received_at: '2025-12-31T23:00:00.000Z' };
    const after = { ...late, id: 'after', received_at: hour(5) };
    const verifier = new Verifier({ digests: digests.slice(0, 1), predecessor: null, keys });
    [...EXAMPLE_EVENTS, early, after].forEach((event) => verifier.addEvent(event));
    const report = verifier.finish();
    expect(report).toMatchObject({ unsealed: 1, pending: 1, unexpected: [] });
  });
});
