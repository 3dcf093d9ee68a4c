import { IndexNames } from '@auditlog/opensearch';
import { indicesDue } from './index-pre-creator';

describe('indicesDue', () => {
  const names = new IndexNames('auditlog');
  const classes = [
    { name: '7d', days: 7 },
    { name: '90d', days: 90 },
    { name: '1y', days: 365 },
  ];

  it.each<[string, string[]]>([
    [
      '2026-11-23T00:00:00.000Z',
      [
        'auditlog-events-7d-2026.11.23',
        'auditlog-events-7d-2026.11.24',
        'auditlog-events-90d-2026.11.23',
        'auditlog-events-90d-2026.11.24',
        'auditlog-events-1y-2026.11',
      ],
    ],
    [
      // The last day of a month: the next month's monthly index is due as well.
      '2026-11-30T00:00:00.000Z',
      [
        'auditlog-events-7d-2026.11.30',
        'auditlog-events-7d-2026.12.01',
        'auditlog-events-90d-2026.11.30',
        'auditlog-events-90d-2026.12.01',
        'auditlog-events-1y-2026.11',
        'auditlog-events-1y-2026.12',
      ],
    ],
    [
      // New Year's Eve: tomorrow is another year.
      '2026-12-31T23:59:59.999Z',
      [
        'auditlog-events-7d-2026.12.31',
        'auditlog-events-7d-2027.01.01',
        'auditlog-events-90d-2026.12.31',
        'auditlog-events-90d-2027.01.01',
        'auditlog-events-1y-2026.12',
        'auditlog-events-1y-2027.01',
      ],
    ],
  ])('at %s: the current and the coming period of every class', (now, expected) => {
    expect(indicesDue(names, classes, new Date(now))).toEqual(expected);
  });

  it('leaves a month that starts in more than a day to a later run', () => {
    const due = indicesDue(
      names,
      [{ name: '2y', days: 730 }],
      new Date('2026-11-28T23:59:59.000Z'),
    );
    expect(due).toEqual(['auditlog-events-2y-2026.11']);
  });
});
