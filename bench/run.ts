/**
 * `npm run bench [-- --events 1e5] [--only ingest,query,export] [--results-dir bench/results]`:
 * provisions local services, builds once, runs the ingest, query and export benchmarks one
 * after the other with the same `--events`, and writes `<date>.json`, `<date>.md` and SVG
 * charts. A benchmark that is missing or fails is recorded as such; the others still run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureServices } from '../scripts/services';
import { type BenchmarkName, parseBenchOptions, resultsDate } from './report/args';
import { describeMachine } from './report/machine';
import { renderCharts, renderMarkdown } from './report/report';
import type { Missing, ResultsSet } from './report/results';

const BENCHMARKS: Record<BenchmarkName, string> = {
  ingest: 'bench/ingest/cli.ts',
  query: 'bench/query/run.ts',
  export: 'bench/export/run.ts',
};

const options = parseBenchOptions(process.argv.slice(2));
const EVENTS = options.events;
const RESULTS_DIR = resolve(options.resultsDir);
const log = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

function run(command: string, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

async function runBenchmark(
  name: BenchmarkName,
  env: NodeJS.ProcessEnv,
  date: string,
): Promise<object | Missing> {
  const script = BENCHMARKS[name];
  if (!options.only.has(name)) return { status: 'not available', reason: 'left out with --only' };
  if (!existsSync(script)) return { status: 'not available', reason: `${script} does not exist` };
  const out = join(RESULTS_DIR, `${date}-${name}.json.tmp`);
  rmSync(out, { force: true });
  log(`${name}: ${script} --events ${EVENTS}`);
  const started = Date.now();
  const code = await run(
    process.execPath,
    [require.resolve('tsx/cli'), script, '--events', String(EVENTS), '--out', out],
    env,
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code !== 0 || !existsSync(out)) {
    log(`${name}: FAILED after ${seconds} s (exit code ${code})`);
    return { status: 'failed', reason: `exit code ${code} after ${seconds} s` };
  }
  log(`${name}: done in ${seconds} s`);
  const figures = JSON.parse(readFileSync(out, 'utf8')) as object;
  rmSync(out);
  return figures;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const date = resultsDate(startedAt);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const services = await ensureServices({ log });
  const env = {
    ...process.env,
    OPENSEARCH_URL: services.opensearchUrl,
    REDIS_URL: services.redisUrl,
  };
  const machine = await describeMachine(services.opensearchUrl);
  if (options.build) {
    log('building the apps (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', env });
    if (build.status !== 0) throw new Error('npm run build failed');
  } else {
    log('--no-build: running the existing dist/');
  }

  const ingest = await runBenchmark('ingest', env, date);
  const query = await runBenchmark('query', env, date);
  const exported = await runBenchmark('export', env, date);
  const results = {
    date,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    events: EVENTS,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    ingest,
    query,
    export: exported,
  } as ResultsSet;

  // The figures are saved before anything renders them, so a rendering problem never
  // costs a long run its results.
  const base = join(RESULTS_DIR, date);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const charts = renderCharts(results);
  writeFileSync(`${base}.md`, renderMarkdown(results, charts));
  for (const chart of charts) writeFileSync(`${base}-${chart.name}.svg`, chart.svg);
  log(`wrote ${base}.json, ${base}.md and ${charts.length} charts`);
  const failed = Object.entries({ ingest, query, export: exported }).filter(
    ([, value]) => (value as Partial<Missing>).status === 'failed',
  );
  if (failed.length > 0) {
    log(`failed: ${failed.map(([name]) => name).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
