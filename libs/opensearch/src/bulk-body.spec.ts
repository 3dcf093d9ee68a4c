import { type StoredEvent, withIndexedAt } from '@auditlog/events';
import { bulkBody, type EventWrite } from './bulk-body';

const AT = '2026-12-01T10:00:00.123Z';

/** The body as plain string building gives it: what the Buffer must hold, byte for byte. */
function expected(writes: EventWrite[]): string {
  return writes
    .map((write) => {
      const action = JSON.stringify({ create: { _index: write.index, _id: write.id } });
      const source =
        write.source === undefined
          ? JSON.stringify({
              ...write.document,
              ingest: { ...write.document.ingest, indexed_at: AT },
            })
          : withIndexedAt(write.source.toString(), AT);
      return `${action}\n${source}\n`;
    })
    .join('');
}

describe('bulkBody', () => {
  it('writes each source with ingest.indexed_at over its closing braces', () => {
    const writes: EventWrite[] = [
      {
        index: 'p-events-90d-2026.12.01',
        id: 'acme:a',
        source: '{"id":"a","ingest":{"key_id":"k"}}',
      },
      {
        index: 'p-events-90d-2026.12.01',
        id: 'acme:b',
        source: '{"description":"Größe ändern 🚀","ingest":{"key_id":"k","client_ip":"::1"}}',
      },
      {
        index: 'p-events-90d-2026.12.01',
        id: 'acme:c',
        source: Buffer.from('{"details":{"note":"日本語"},"ingest":{"key_id":"k"}}', 'utf8'),
      },
      { index: 'p-events-1y-2026.12', id: 'umbrella:d', document: { id: 'd' } as StoredEvent },
    ];
    const body = bulkBody(writes, AT);
    expect(body.toString('utf8')).toBe(expected(writes));
    expect(body.length).toBe(Buffer.byteLength(expected(writes), 'utf8'));
  });

  it('is empty for no writes', () => {
    expect(bulkBody([], AT).length).toBe(0);
  });
});
