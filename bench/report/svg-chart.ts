/**
 * Minimal SVG charts for benchmark reports: a line chart (numeric x, optionally log scale)
 * and a grouped bar chart. Pure functions returning standalone SVG documents.
 */

export interface Point {
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  points: Point[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Logarithmic x axis (base 2 ticks at the data's x values), e.g. for client counts. */
  logX?: boolean;
}

export interface BarSeries {
  name: string;
  values: number[];
}

export interface BarChart {
  title: string;
  yLabel: string;
  categories: string[];
  series: BarSeries[];
}

const WIDTH = 720;
const HEIGHT = 420;
const PLOT = { left: 80, right: 180, top: 50, bottom: 70 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) {
    ticks.push(Number(value.toPrecision(12)));
    if (value >= max) break;
  }
  return ticks;
}

function label(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  const plotBottom = HEIGHT - PLOT.bottom;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 28, title, 'text-anchor="middle" font-size="16" font-weight="bold"'),
    text((PLOT.left + WIDTH - PLOT.right) / 2, HEIGHT - 20, xLabel, 'text-anchor="middle"'),
    text(
      18,
      (PLOT.top + plotBottom) / 2,
      yLabel,
      `text-anchor="middle" transform="rotate(-90 18 ${((PLOT.top + plotBottom) / 2).toFixed(1)})"`,
    ),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function yAxis(maxValue: number): { scale: (y: number) => number; lines: string[] } {
  const ticks = niceTicks(maxValue);
  // niceTicks never returns an empty list; 1 matches its fallback.
  const top = ticks.at(-1) ?? 1;
  const plotBottom = HEIGHT - PLOT.bottom;
  const scale = (y: number): number => plotBottom - (y / top) * (plotBottom - PLOT.top);
  const lines = ticks.flatMap((tick) => [
    `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${scale(tick).toFixed(1)}" y2="${scale(tick).toFixed(1)}" stroke="#e0e0e0"/>`,
    text(PLOT.left - 8, scale(tick) + 4, label(tick), 'text-anchor="end"'),
  ]);
  lines.push(
    `<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${plotBottom}" stroke="#333"/>`,
    `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${plotBottom}" y2="${plotBottom}" stroke="#333"/>`,
  );
  return { scale, lines };
}

function legend(names: string[]): string[] {
  const x = WIDTH - PLOT.right + 16;
  return names.flatMap((name, index) => {
    const y = PLOT.top + 10 + index * 20;
    return [
      `<rect class="legend" x="${x}" y="${y - 9}" width="12" height="12" fill="${COLORS[index % COLORS.length]}"/>`,
      text(x + 18, y + 1, name),
    ];
  });
}

function finite(values: number[]): number[] {
  return values.filter((value) => Number.isFinite(value));
}

export function lineChart(chart: LineChart): string {
  const points = chart.series.flatMap((series) => series.points);
  const xs = [...new Set(finite(points.map((point) => point.x)))].sort((a, b) => a - b);
  const { scale: scaleY, lines } = yAxis(Math.max(0, ...finite(points.map((p) => p.y))));
  const transform = (x: number): number => (chart.logX ? Math.log2(x) : x);
  const [low, high] = [transform(xs[0] ?? 0), transform(xs[xs.length - 1] ?? 1)];
  const span = high - low || 1;
  const scaleX = (x: number): number =>
    PLOT.left + 20 + ((transform(x) - low) / span) * (WIDTH - PLOT.right - PLOT.left - 40);
  const plotBottom = HEIGHT - PLOT.bottom;
  const xTicks = chart.logX || xs.length <= 8 ? xs : niceTicks(xs.at(-1) ?? 0);
  const body = [
    ...lines,
    ...xTicks.map((x) => text(scaleX(x), plotBottom + 18, label(x), 'text-anchor="middle"')),
    ...chart.series.flatMap((series, index) => {
      const color = COLORS[index % COLORS.length];
      const drawn = series.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
      const coordinates = drawn.map((p) => `${scaleX(p.x).toFixed(1)},${scaleY(p.y).toFixed(1)}`);
      return [
        `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${coordinates.join(' ')}"><title>${escapeXml(series.name)}</title></polyline>`,
        ...drawn.map(
          (p) =>
            `<circle cx="${scaleX(p.x).toFixed(1)}" cy="${scaleY(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${escapeXml(`${series.name}: ${label(p.x)} → ${label(p.y)}`)}</title></circle>`,
        ),
      ];
    }),
    ...legend(chart.series.map((series) => series.name)),
  ];
  return frame(chart.title, chart.xLabel, chart.yLabel, body);
}

export function barChart(chart: BarChart): string {
  for (const series of chart.series) {
    if (series.values.length !== chart.categories.length)
      throw new Error(
        `series "${series.name}" has ${series.values.length} values for ${chart.categories.length} categories`,
      );
  }
  const values = finite(chart.series.flatMap((series) => series.values));
  const { scale: scaleY, lines } = yAxis(Math.max(0, ...values));
  const plotBottom = HEIGHT - PLOT.bottom;
  const groupWidth = (WIDTH - PLOT.right - PLOT.left) / Math.max(1, chart.categories.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, chart.series.length);
  const body = [
    ...lines,
    ...chart.categories.flatMap((category, group) => {
      const start = PLOT.left + group * groupWidth + groupWidth * 0.1;
      return [
        text(start + (groupWidth * 0.8) / 2, plotBottom + 18, category, 'text-anchor="middle"'),
        ...chart.series.map((series, index) => {
          const value = series.values[group] ?? Number.NaN;
          const y = Number.isFinite(value) ? scaleY(value) : plotBottom;
          return `<rect class="bar" x="${(start + index * barWidth).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plotBottom - y).toFixed(1)}" fill="${COLORS[index % COLORS.length]}"><title>${escapeXml(`${category}, ${series.name}: ${label(value)}`)}</title></rect>`;
        }),
      ];
    }),
    ...legend(chart.series.map((series) => series.name)),
  ];
  return frame(chart.title, '', chart.yLabel, body);
}
