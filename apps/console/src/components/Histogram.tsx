import { useRef, useState } from 'preact/hooks';
import type { Problem } from '../api';
import type { Histogram as HistogramData } from '../api-types';
import { formatCount, formatTime } from '../format';
import type { TimeZoneMode } from '../url-state';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  histogram: HistogramData | null;
  loading: boolean;
  problem: Problem | null;
  tz: TimeZoneMode;
  /** Drag across the bars: the window between the two points. */
  onZoom: (from: string, to: string) => void;
}

const WIDTH = 1000;
const HEIGHT = 100;

/** Event counts over the window (SVG bars); drag across it to zoom in. */
export function Histogram({ histogram, loading, problem, tz, onZoom }: Props) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);

  if (problem) return <ProblemMessage problem={problem} role="status" />;
  if (!histogram) return <div class="histogram histogram-empty" aria-busy={loading} />;

  const buckets = histogram.buckets;
  const from = Date.parse(histogram.from);
  const to = Date.parse(histogram.to);
  const span = Math.max(to - from, 1);
  const max = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const [first, second] = buckets;
  const intervalMs =
    first && second ? Date.parse(second.timestamp) - Date.parse(first.timestamp) : span;
  const barWidth = Math.max((intervalMs / span) * WIDTH - 1, 1);

  const fraction = (clientX: number): number => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(Math.max((clientX - box.left) / box.width, 0), 1);
  };
  const finish = () => {
    if (!drag) return;
    const [a, b] = [Math.min(drag.start, drag.end), Math.max(drag.start, drag.end)];
    setDrag(null);
    if (b - a < 0.005) return;
    const zoomFrom = new Date(from + a * span);
    const zoomTo = new Date(from + b * span);
    zoomFrom.setUTCMilliseconds(0);
    zoomTo.setUTCMilliseconds(0);
    onZoom(
      zoomFrom.toISOString().replace('.000Z', 'Z'),
      zoomTo.toISOString().replace('.000Z', 'Z'),
    );
  };

  const label = `Events over time: ${formatCount(histogram.total)} events from ${formatTime(histogram.from, tz)} to ${formatTime(histogram.to, tz)}, ${histogram.interval} per bar. Drag across the chart to zoom in.`;

  return (
    <figure class="histogram" aria-busy={loading}>
      <svg
        ref={svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={label}
        class={drag ? 'dragging' : undefined}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          const at = fraction(event.clientX);
          setDrag({ start: at, end: at });
        }}
        onPointerMove={(event) => {
          if (drag) setDrag({ ...drag, end: fraction(event.clientX) });
        }}
        onPointerUp={finish}
        onPointerCancel={() => setDrag(null)}
      >
        {buckets.map((bucket) => {
          const x = ((Date.parse(bucket.timestamp) - from) / span) * WIDTH;
          const height = (bucket.count / max) * (HEIGHT - 4);
          return (
            <rect
              key={bucket.timestamp}
              class="bar"
              x={Math.max(x, 0)}
              y={HEIGHT - height}
              width={barWidth}
              height={height}
            >
              <title>{`${formatTime(bucket.timestamp, tz)}: ${formatCount(bucket.count)}`}</title>
            </rect>
          );
        })}
        {drag && (
          <rect
            class="zoom-selection"
            x={Math.min(drag.start, drag.end) * WIDTH}
            y={0}
            width={Math.abs(drag.end - drag.start) * WIDTH}
            height={HEIGHT}
          />
        )}
      </svg>
      <figcaption class="histogram-axis">
        <span>{formatTime(histogram.from, tz)}</span>
        <span class="muted">
          {formatCount(histogram.total)} events · {histogram.interval} per bar · max{' '}
          {formatCount(max)} · drag to zoom
        </span>
        <span>{formatTime(histogram.to, tz)}</span>
      </figcaption>
    </figure>
  );
}
