import { barChart, escapeXml, lineChart, niceTicks } from './svg-chart';
import { firstOf, itemAt } from '@auditlog/testing';

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

describe('niceTicks', () => {
  it.each([
    [1234, [0, 500, 1000, 1500]],
    [10, [0, 2, 4, 6, 8, 10]],
    [0.9, [0, 0.2, 0.4, 0.6, 0.8, 1]],
  ])('covers %p with round steps', (max, expected) => {
    expect(niceTicks(max)).toEqual(expected);
  });

  it('has a usable axis without data', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Ingest <throughput> & clients',
    xLabel: 'clients',
    yLabel: 'events/s',
    logX: true,
    series: [
      { name: 'ingest API', points: [1, 4, 16, 64].map((x) => ({ x, y: x * 100 })) },
      { name: 'raw _bulk', points: [1, 4, 16, 64].map((x) => ({ x, y: x * 120 })) },
    ],
  });

  it('is a standalone SVG document with one polyline and one legend entry per series', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(count(svg, /<polyline class="series"/g)).toBe(2);
    expect(count(svg, /<rect class="legend"/g)).toBe(2);
    expect(count(svg, /<circle /g)).toBe(8);
    expect(svg).toContain('>ingest API</text>');
    expect(svg).toContain('>raw _bulk</text>');
  });

  it('escapes text', () => {
    expect(svg).toContain('Ingest &lt;throughput&gt; &amp; clients');
    expect(svg).not.toContain('<throughput>');
  });

  it('spaces a log axis evenly and keeps points inside the plot', () => {
    const polyline = /<polyline class="series"[^>]*points="([^"]+)"/.exec(svg)?.[1] ?? '';
    const xs = polyline.split(' ').map((pair) => Number(pair.split(',')[0]));
    const gaps = xs.slice(1).map((x, i) => x - itemAt(xs, i));
    for (const gap of gaps) expect(gap).toBeCloseTo(firstOf(gaps, 'gap'), 0);
    for (const pair of polyline.split(' ')) {
      const [x, y] = pair.split(',').map(Number);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(720);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(420);
    }
  });

  it('puts the larger value higher', () => {
    const ys = (/<polyline class="series"[^>]*points="([^"]+)"/.exec(svg)?.[1] ?? '')
      .split(' ')
      .map((pair) => Number(pair.split(',')[1]));
    expect([...ys].sort((a, b) => b - a)).toEqual(ys);
  });
});

describe('barChart', () => {
  it('draws one bar per category and series', () => {
    const svg = barChart({
      title: 'Latency',
      yLabel: 'ms',
      categories: ['a', 'b', 'c'],
      series: [
        { name: 'p50', values: [1, 2, 3] },
        { name: 'p99', values: [4, 5, Number.NaN] },
      ],
    });
    expect(count(svg, /<rect class="bar"/g)).toBe(6);
    expect(count(svg, /<rect class="legend"/g)).toBe(2);
    expect(svg).not.toMatch(/NaN"/);
  });

  it('refuses a series whose length does not match the categories', () => {
    expect(() =>
      barChart({ title: 't', yLabel: 'y', categories: ['a'], series: [{ name: 's', values: [] }] }),
    ).toThrow(/0 values for 1 categories/);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    expect(escapeXml(`<a href="x">&</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
