import { parseBenchOptions, parseCount, parseCountList, resultsDate } from './args';

describe('parseCount', () => {
  it.each([
    ['100000', 100_000],
    ['1e5', 100_000],
    ['1E7', 10_000_000],
    ['2.5e6', 2_500_000],
    ['1_000_000', 1_000_000],
    [' 42 ', 42],
  ])('reads %p as %p', (text, expected) => {
    expect(parseCount(text)).toBe(expected);
  });

  it.each(['', '0', '-5', '1.5', '1e-3', 'abc', '1e400', '10k'])('refuses %p', (text) => {
    expect(() => parseCount(text)).toThrow(/--events must be a positive whole number/);
  });

  it('names the option in the error', () => {
    expect(() => parseCount(undefined, '--batch')).toThrow(/^--batch /);
  });
});

describe('parseCountList', () => {
  it('sorts the levels', () => {
    expect(parseCountList('16,1,64,4', '--clients')).toEqual([1, 4, 16, 64]);
  });

  it('refuses repeated and invalid levels', () => {
    expect(() => parseCountList('4,4', '--clients')).toThrow(/twice/);
    expect(() => parseCountList('4,,8', '--clients')).toThrow(/--clients/);
  });
});

describe('resultsDate', () => {
  it('is the UTC day', () => {
    expect(resultsDate(new Date('2026-11-23T23:59:59.999Z'))).toBe('2026-11-23');
  });
});

describe('parseBenchOptions', () => {
  it('defaults to every benchmark at 1e5 events', () => {
    expect(parseBenchOptions([])).toEqual({
      events: 100_000,
      only: new Set(['ingest', 'query', 'export']),
      resultsDir: 'bench/results',
      build: true,
    });
  });

  it('skips the build with --no-build', () => {
    expect(parseBenchOptions(['--no-build']).build).toBe(false);
  });

  it('reads the scale knob, a subset and the results dir', () => {
    const options = parseBenchOptions([
      '--events',
      '1e7',
      '--only',
      'query, ingest',
      '--results-dir',
      '/tmp/r',
    ]);
    expect(options.events).toBe(10_000_000);
    expect([...options.only]).toEqual(['query', 'ingest']);
    expect(options.resultsDir).toBe('/tmp/r');
  });

  it('refuses unknown benchmarks, options and bad counts', () => {
    expect(() => parseBenchOptions(['--only', 'ingest,exports'])).toThrow(/not exports/);
    expect(() => parseBenchOptions(['--event', '5'])).toThrow(/Unknown option/);
    expect(() => parseBenchOptions(['--events', '1e-2'])).toThrow(/--events/);
  });
});
