import { formatNumber, markdownTable } from './markdown';

describe('markdownTable', () => {
  it('right-aligns numeric columns and formats numbers', () => {
    expect(
      markdownTable(
        ['query', 'p50 ms', 'ratio'],
        [
          ['last 24 h', 61.54, 1.534],
          ['page 50', 1234.5, 0.8],
        ],
      ),
    ).toBe(
      [
        '| query | p50 ms | ratio |',
        '|---|---:|---:|',
        '| last 24 h | 61.5 | 1.53 |',
        '| page 50 | 1,235 | 0.8 |',
        '',
      ].join('\n'),
    );
  });

  it('escapes pipes and line breaks inside cells', () => {
    expect(markdownTable(['a'], [['x | y\nz']])).toContain('| x \\| y z |');
  });

  it('refuses rows that do not match the header', () => {
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow(/1 cells, the header 2/);
  });

  it('shows a dash for a figure without samples', () => {
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(formatNumber(100000)).toBe('100,000');
  });
});
