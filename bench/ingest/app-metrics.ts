/** Samples of an app's Prometheus `/metrics`, keyed by name and labels in name order. */
export type MetricSamples = Map<string, number>;

function sampleKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return `${name}{${sorted.map(([label, value]) => `${label}=${value}`).join(',')}}`;
}

export async function scrapeMetrics(url: string): Promise<MetricSamples> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples: MetricSamples = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    samples.set(sampleKey(match[1] as string, labels), Number(match[3]));
  }
  return samples;
}

function delta(
  before: MetricSamples,
  after: MetricSamples,
  name: string,
  labels: Record<string, string>,
): number {
  const key = sampleKey(name, { app: 'ingest', ...labels });
  return (after.get(key) ?? 0) - (before.get(key) ?? 0);
}

/** The ingest app's successful `_bulk` calls between two scrapes, and how many were slow. */
export function bulkTail(
  before: MetricSamples,
  after: MetricSamples,
): { calls: number; over25Ms: number; over50Ms: number } {
  const upTo = (le: string): number =>
    delta(before, after, 'auditlog_ingest_bulk_duration_seconds_bucket', { le, outcome: 'ok' });
  const calls = upTo('+Inf');
  return { calls, over25Ms: calls - upTo('0.025'), over50Ms: calls - upTo('0.05') };
}

/** Garbage collections between two scrapes, by kind: how many and their pauses in all. */
export function gcTime(
  before: MetricSamples,
  after: MetricSamples,
): Array<{ kind: string; count: number; ms: number }> {
  return ['minor', 'major', 'incremental'].map((kind) => ({
    kind,
    count: delta(before, after, 'auditlog_nodejs_gc_duration_seconds_count', { kind }),
    ms: delta(before, after, 'auditlog_nodejs_gc_duration_seconds_sum', { kind }) * 1000,
  }));
}
