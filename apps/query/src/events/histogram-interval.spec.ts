import { parseHistogramInterval } from './histogram-interval';

const from = '2026-06-01T00:00:00.000Z';
const day = '2026-06-02T00:00:00.000Z';
const month = '2026-07-01T00:00:00.000Z';

describe('parseHistogramInterval', () => {
  it.each([
    ['5m', day, { kind: 'fixed', value: '5m', ms: 300_000 }],
    ['1h', day, { kind: 'fixed', value: '1h', ms: 3_600_000 }],
    ['1d', month, { kind: 'fixed', value: '1d', ms: 86_400_000 }],
    ['1w', month, { kind: 'calendar', value: 'week', ms: 604_800_000 }],
    ['1M', month, { kind: 'calendar', value: 'month', ms: 2_419_200_000 }],
    [undefined, day, { kind: 'fixed', value: '15m', ms: 900_000 }],
    ['auto', month, { kind: 'fixed', value: '6h', ms: 21_600_000 }],
  ])('%s over the window', (raw, to, interval) => {
    expect(parseHistogramInterval(raw, from, to, 1000)).toMatchObject({ ok: true, interval });
  });

  it.each([['0m'], ['1y'], ['5 m'], ['1h,5m'], ['-1h']])('rejects %s', (raw) => {
    expect(parseHistogramInterval(raw, from, day, 1000).ok).toBe(false);
  });

  it('bounds the bucket count', () => {
    const result = parseHistogramInterval('1s', from, day, 1000);
    expect(!result.ok && result.errors[0]?.message).toContain('the limit is 1000');
  });
});
