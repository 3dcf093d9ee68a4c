import { percentile, round, summarize } from './stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it.each([
    [50, 50],
    [95, 95],
    [99, 99],
    [100, 100],
    [1, 1],
  ])('p%p of 1..100 is %p', (p, expected) => {
    expect(percentile(hundred, p)).toBe(expected);
  });

  it('takes the next rank up between samples', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
  });

  it('does not reorder the caller’s samples', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('is NaN without samples and refuses p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });
});

describe('summarize', () => {
  it('reports count, p50, p95, p99 and max rounded to 0.1 ms', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => (i + 1) / 3);
    expect(summarize(samples)).toEqual({
      count: 1000,
      p50Ms: 166.7,
      p95Ms: 316.7,
      p99Ms: 330,
      maxMs: 333.3,
    });
  });

  it('rounds', () => {
    expect(round(1.25, 1)).toBe(1.3);
    expect(round(1234.5, 0)).toBe(1235);
  });
});
