import type { StoredEvent } from '@auditlog/events';
import { storedEventDocument } from '@auditlog/testing';
import { SCAN_GROUP_SIZE, type ScanHit, scanPage } from './scan-page';

function hit(index: number, details: unknown = { n: index }): ScanHit {
  return {
    _source: storedEventDocument('acme', new Date('2026-06-01T00:00:00.000Z'), {
      id: `e-${index}`,
      actor: { id: 'u', type: 'user', name: `ünï "${index}" ]},{"_source":` },
      details,
    }) as unknown as StoredEvent,
    sort: [1_780_000_000_000 - index, `e-${index}`],
  };
}

/** What OpenSearch sends for a scan page, compact as it is. */
const bytes = (hits: readonly ScanHit[]) =>
  Buffer.from(JSON.stringify(hits.length ? { hits: { hits } } : {}));

function read(hits: readonly ScanHit[]) {
  const page = scanPage(bytes(hits));
  const groups = [...page.groups()];
  return { page, groups, events: groups.flat() };
}

/** Nested data holding the seam between two hits, as structure, not as text. */
const seamInside = { list: [{ a: [1] }, { _source: { x: [2] }, sort: [3] }], more: [[]] };

describe('scanPage', () => {
  it.each([0, 1, 99, 100, 101, 250])(
    'gives the events JSON.parse gives, in groups, for %i hits',
    (count) => {
      const hits = Array.from({ length: count }, (_, index) => hit(index));
      const { page, groups, events } = read(hits);
      expect(events).toEqual(hits.map((entry) => entry._source));
      expect(page.size).toBe(count);
      expect(page.lastSort).toEqual(hits.at(-1)?.sort);
      expect(groups.every((group) => group.length <= SCAN_GROUP_SIZE)).toBe(true);
    },
  );

  it.each([0, 1, 50, 99, 100, 101, 199, 200, 249])(
    'gives the same events when hit %i of 250 holds the seam in its own nested data',
    (position) => {
      const hits = Array.from({ length: 250 }, (_, index) =>
        hit(index, index === position ? seamInside : { n: index }),
      );
      const { page, events } = read(hits);
      expect(events).toEqual(hits.map((entry) => entry._source));
      expect(page.lastSort).toEqual(hits.at(-1)?.sort);
      expect(page.size).toBeGreaterThanOrEqual(250);
    },
  );

  it('reads a page of another shape whole', () => {
    const hits = [hit(1), hit(2)];
    const page = scanPage(Buffer.from(JSON.stringify({ hits: { hits } }, null, 2)));
    expect([...page.groups()].flat()).toEqual(hits.map((entry) => entry._source));
    expect(page.lastSort).toEqual(hits[1]?.sort);
  });
});
