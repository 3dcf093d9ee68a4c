import { IndexNames } from './index-names';

describe('IndexNames', () => {
  const names = new IndexNames('auditlog');

  it.each([
    ['7d', '2026-11-23T23:59:59.999Z', 'auditlog-events-7d-2026.11.23'],
    ['90d', '2026-01-01T00:00:00.000Z', 'auditlog-events-90d-2026.01.01'],
    ['1y', '2026-11-23T10:00:00.000Z', 'auditlog-events-1y-2026.11'],
    ['2y', '2026-02-28T10:00:00.000Z', 'auditlog-events-2y-2026.02'],
    ['6m', '2026-12-31T23:00:00.000Z', 'auditlog-events-6m-2026.12'],
  ])('names the %s index of %s in UTC', (retentionClass, timestamp, index) => {
    expect(names.eventsIndex(retentionClass, timestamp)).toBe(index);
    expect(names.parseEventsIndex(index)).toMatchObject({ retentionClass });
  });

  it('parses daily and monthly periods with exclusive ends', () => {
    expect(names.parseEventsIndex('auditlog-events-30d-2026.11.30')).toEqual({
      retentionClass: '30d',
      granularity: 'day',
      start: new Date('2026-11-30T00:00:00Z'),
      end: new Date('2026-12-01T00:00:00Z'),
    });
    expect(names.parseEventsIndex('auditlog-events-1y-2026.12')).toEqual({
      retentionClass: '1y',
      granularity: 'month',
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it.each([
    'auditlog-events-7d-2026.11',
    'auditlog-events-1y-2026.11.23',
    'auditlog-events-7d-2026.02.30',
    'auditlog-events-7d-2026.13.01',
    'other-events-7d-2026.11.23',
    'auditlog-companies-v1',
    'auditlog-events-7d-2026.11.23-restored',
  ])('refuses %s', (index) => {
    expect(names.parseEventsIndex(index)).toBeUndefined();
  });

  it('escapes the prefix when parsing', () => {
    const dotted = new IndexNames('a.b');
    expect(dotted.parseEventsIndex('axb-events-7d-2026.11.23')).toBeUndefined();
    expect(dotted.parseEventsIndex('a.b-events-7d-2026.11.23')).toBeDefined();
  });
});
