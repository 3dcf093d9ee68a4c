/**
 * `npm run bench:export [-- --events N --out file.json --keep --prefix P]`: export rows/s of
 * a CSV and an XLSX export job through the real worker process, next to a raw point-in-time
 * scan of the same events in the same run, and the worker's peak RSS at 100,000 rows and at
 * N rows (a fresh worker per measurement; VmHWM from /proc). Default N: 1,000,000.
 * The worker runs with the node options production gives it (a 256 MiB heap bound);
 * `--worker-heap-mib M` runs it with `--max-old-space-size=M` instead; `--worker-cpu-prof DIR`
 * writes each worker's V8 CPU profile into DIR (summarise with bench/ingest/profile-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { eventDocumentId, IndexNames, SCAN_PAGE_FILTER_PATH } from '@auditlog/opensearch';
import { type AppProcess, dropPrefix, startProcess } from '@auditlog/testing';
import { EXPORT_QUEUE } from '@auditlog/export-jobs';
import { openSearchCpuMicros } from '../ingest/cpu';
import { benchEvent } from '../query/dataset';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    out: { type: 'string' },
    prefix: { type: 'string' },
    keep: { type: 'boolean', default: false },
    port: { type: 'string', default: '3913' },
    'worker-heap-mib': { type: 'string' },
    'worker-cpu-prof': { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const SMALL = Math.min(100_000, EVENTS);
const DAYS = 30;
const PORT = Number(args.port);
const PREFIX = args.prefix ?? `bench-export-${randomBytes(3).toString('hex')}`;
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32).toString('base64url');
const EXPORT_DIR = fs.mkdtempSync(join(os.tmpdir(), 'auditlog-bench-export-'));
const DAY = 86_400_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** The big data set belongs to `acme`, the 100k one to `acme-100k`. */
const DATASETS = [
  { company: 'acme-100k', rows: SMALL },
  { company: 'acme', rows: EVENTS },
];

const env: NodeJS.ProcessEnv = {
  ...process.env,
  OPENSEARCH_URL,
  REDIS_URL,
  OPENSEARCH_INDEX_PREFIX: PREFIX,
  REDIS_KEY_PREFIX: PREFIX,
  AUTH_JWT_SECRET: SECRET,
  EXPORT_DIR,
  EXPORT_MAX_ROWS: String(EVENTS + 1),
  EXPORT_MAX_CONCURRENT_PER_COMPANY: '10',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
};

async function load(client: Client, company: string, count: number, now: number): Promise<void> {
  const names = new IndexNames(PREFIX);
  const batch = 5000;
  const starts = Array.from({ length: Math.ceil(count / batch) }, (_, index) => index * batch);
  const started = performance.now();
  let loaded = 0;
  const send = async (start: number) => {
    const body: unknown[] = [];
    for (let index = start; index < Math.min(start + batch, count); index++) {
      const event = { ...benchEvent(index, now, DAYS), company_id: company };
      body.push(
        {
          index: {
            _index: names.eventsIndex('90d', event.timestamp),
            _id: eventDocumentId(company, event.id),
          },
        },
        event,
      );
    }
    const { body: result } = await client.bulk({ body: body as Record<string, unknown>[] });
    if (result.errors) throw new Error('bulk load failed');
    loaded += body.length / 2;
    if (loaded % 100_000 < batch)
      log(
        `  ${company}: ${loaded}/${count} (${Math.round(loaded / ((performance.now() - started) / 1000))}/s)`,
      );
  };
  await Promise.all(
    [0, 1].map(async () => {
      for (let start = starts.shift(); start !== undefined; start = starts.shift())
        await send(start);
    }),
  );
}

/** Deletes the `audit_log.exported` events earlier runs' export jobs left in a kept data set. */
async function dropExportAudits(client: Client): Promise<void> {
  const { body } = await client.search({
    index: `${PREFIX}-events-*`,
    body: { size: 10_000, _source: false, query: { term: { action: 'audit_log.exported' } } },
  });
  const hits = body.hits.hits as Array<{ _index: string; _id: string }>;
  if (hits.length === 0) return;
  await client.bulk({
    refresh: true,
    body: hits.map((hit) => ({ delete: { _index: hit._index, _id: hit._id } })),
  });
}

/** Pages through every event of `company` with a point in time and search_after, asking for what the worker asks. */
async function rawScan(client: Client, company: string, from: string, to: string): Promise<number> {
  const { body: pit } = await client.createPit({ index: [`${PREFIX}-events-*`], keep_alive: '2m' });
  let rows = 0;
  let after: Array<string | number> | undefined;
  try {
    for (;;) {
      const { body } = await client.search({
        filter_path: SCAN_PAGE_FILTER_PATH,
        body: {
          pit: { id: pit.pit_id, keep_alive: '2m' },
          size: 5000,
          track_total_hits: false,
          query: {
            bool: {
              filter: [
                { term: { company_id: company } },
                { range: { timestamp: { gte: from, lt: to } } },
              ],
            },
          },
          sort: [{ timestamp: 'desc' }, { id: 'desc' }],
          ...(after ? { search_after: after } : {}),
        },
      });
      const hits = (body.hits?.hits ?? []) as Array<{ sort: Array<string | number> }>;
      rows += hits.length;
      const last = hits.at(-1);
      if (last === undefined || hits.length < 5000) return rows;
      after = last.sort;
    }
  } finally {
    await client.deletePit({ body: { pit_id: [pit.pit_id] } });
  }
}

interface ScanRun {
  rows: number;
  rowsPerSecond: number;
  /** OpenSearch's CPU per 1,000 rows while the scan ran (node stats, every thread). */
  openSearchCpuMsPerKRow: number;
  /** This process's CPU per 1,000 rows: the client receiving and parsing the pages. */
  clientCpuMsPerKRow: number;
}

const perKRow = (micros: number, rows: number) => Math.round((micros * 1000) / rows) / 1000;

async function timedRawScan(client: Client, from: string, to: string): Promise<ScanRun> {
  const openSearchBefore = await openSearchCpuMicros(client);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const rows = await rawScan(client, 'acme', from, to);
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientBefore);
  const openSearchCpu = (await openSearchCpuMicros(client)) - openSearchBefore;
  return {
    rows,
    rowsPerSecond: Math.round(rows / seconds),
    openSearchCpuMsPerKRow: perKRow(openSearchCpu, rows),
    clientCpuMsPerKRow: perKRow(clientCpu.user + clientCpu.system, rows),
  };
}

async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 3_600_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: timed out`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Peak resident set of a process so far (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** The export worker, from the build, through the test harness (another heap bound if asked). */
function startWorker(): Promise<AppProcess> {
  const heap = args['worker-heap-mib'];
  const profileDir = args['worker-cpu-prof'];
  const nodeArgs = [
    // A capped heap shows whether the worker needs memory in proportion to the rows.
    ...(heap ? [`--max-old-space-size=${heap}`] : []),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  return startProcess('export-worker', env, {
    nodeArgs,
    echo: false,
    startTimeoutMs: 120_000,
  });
}

/** CPU seconds (user + system, every thread) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

interface JobRun {
  format: string;
  rows: number;
  seconds: number;
  peakRssMiB: number;
  /** The worker's CPU time per 1,000 rows, start-up excluded. */
  workerCpuMsPerKRow: number;
  /** OpenSearch's CPU per 1,000 rows while the job ran. */
  openSearchCpuMsPerKRow: number;
}

async function exportJob(
  client: Client,
  company: string,
  format: string,
  from: string,
  to: string,
): Promise<JobRun> {
  const token = jwt.sign({ sub: 'bench', company_id: company, roles: ['company_owner'] }, SECRET, {
    algorithm: 'HS256',
    expiresIn: '4h',
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const worker = await startWorker();
  try {
    const pid = worker.child.pid ?? 0;
    const idleCpu = cpuSeconds(pid);
    const openSearchBefore = await openSearchCpuMicros(client);
    const started = performance.now();
    const created = await fetch(`http://127.0.0.1:${PORT}/v1/exports`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `bench ${format}`, format, filters: { from, to } }),
    });
    if (created.status !== 202)
      throw new Error(`POST answered ${created.status}: ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    let peak = 0;
    const record = await until(async () => {
      peak = Math.max(peak, peakRssMiB(pid));
      const response = await fetch(`http://127.0.0.1:${PORT}/v1/exports/${id}`, { headers });
      const body = (await response.json()) as {
        status: string;
        rows: number;
        error: string | null;
      };
      if (body.status === 'failed') throw new Error(`export failed: ${body.error}`);
      return body.status === 'completed' ? body : undefined;
    }, `${format} export`);
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, peakRssMiB(pid));
    const cpu = cpuSeconds(pid) - idleCpu;
    const openSearchCpu = (await openSearchCpuMicros(client)) - openSearchBefore;
    fs.rmSync(join(EXPORT_DIR, `${id}.${format}`), { force: true });
    return {
      format,
      rows: record.rows,
      seconds,
      peakRssMiB: Math.round(peak * 10) / 10,
      workerCpuMsPerKRow: Math.round((cpu * 1e9) / record.rows) / 1000,
      openSearchCpuMsPerKRow: perKRow(openSearchCpu, record.rows),
    };
  } finally {
    await worker.kill();
  }
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL });
  log(`export benchmark: ${EVENTS} events (+${SMALL} for the 100k RSS point), prefix ${PREFIX}`);
  const api = await startProcess('export', env, {
    port: PORT,
    waitFor: '/health/ready',
    startTimeoutMs: 120_000,
  });
  try {
    const now = Date.now();
    const from = new Date(now - (DAYS + 1) * DAY).toISOString();
    // Before the audit_log.exported events the export jobs add to the same companies.
    const to = new Date(now + 1).toISOString();
    for (const dataset of DATASETS) {
      const { body } = await client.count({
        index: `${PREFIX}-events-*`,
        ignore_unavailable: true,
        allow_no_indices: true,
        body: { query: { term: { company_id: dataset.company } } },
      });
      if (body.count < dataset.rows) await load(client, dataset.company, dataset.rows, now);
    }
    // A kept data set holds the audit events of the previous run's export jobs.
    await dropExportAudits(client);
    await client.indices.refresh({ index: `${PREFIX}-events-*` });

    // Each export of the big data set is paired with a raw scan right before it: on a
    // shared machine the scan's own speed moves by 2x within minutes.
    const runs: Array<JobRun & { company: string; raw?: ScanRun }> = [];
    for (const format of ['csv', 'xlsx']) {
      for (const dataset of DATASETS) {
        let raw: ScanRun | undefined;
        if (dataset.company === 'acme') {
          raw = await timedRawScan(client, from, to);
          log(
            `raw PIT scan: ${raw.rows} rows (${raw.rowsPerSecond}/s), OpenSearch CPU ${raw.openSearchCpuMsPerKRow} ms and client CPU ${raw.clientCpuMsPerKRow} ms per 1,000 rows`,
          );
        }
        const run = await exportJob(client, dataset.company, format, from, to);
        if (run.rows !== dataset.rows)
          throw new Error(`${format}: ${run.rows} rows, expected ${dataset.rows}`);
        runs.push({ ...run, company: dataset.company, ...(raw ? { raw } : {}) });
        log(
          `${format} ${run.rows} rows: ${run.seconds.toFixed(1)} s (${Math.round(run.rows / run.seconds)}/s), worker peak RSS ${run.peakRssMiB} MiB, worker CPU ${run.workerCpuMsPerKRow} ms and OpenSearch CPU ${run.openSearchCpuMsPerKRow} ms per 1,000 rows`,
        );
      }
    }
    const formats = runs.flatMap(({ raw, ...run }) => {
      if (!raw) return [];
      const rowsPerSecond = Math.round(run.rows / run.seconds);
      const rawCpu = raw.openSearchCpuMsPerKRow + raw.clientCpuMsPerKRow;
      const exportCpu = run.openSearchCpuMsPerKRow + run.workerCpuMsPerKRow;
      return [
        {
          format: run.format,
          rowsPerSecond,
          ratio: Math.round((rowsPerSecond / raw.rowsPerSecond) * 1000) / 1000,
          raw,
          workerCpuMsPerKRow: run.workerCpuMsPerKRow,
          openSearchCpuMsPerKRow: run.openSearchCpuMsPerKRow,
          // Where the cores are saturated, throughput follows the CPU each row costs.
          cpuRatio: Math.round((rawCpu / exportCpu) * 1000) / 1000,
        },
      ];
    });
    const raw = {
      rowsPerSecond: Math.round(
        formats.reduce((sum, entry) => sum + entry.raw.rowsPerSecond, 0) /
          Math.max(formats.length, 1),
      ),
    };
    const result = {
      benchmark: 'export',
      events: EVENTS,
      raw: { rowsPerSecond: raw.rowsPerSecond },
      formats,
      rss: runs.map((run) => ({
        rows: run.rows,
        format: run.format,
        peakRssMiB: run.peakRssMiB,
        workerCpuMsPerKRow: run.workerCpuMsPerKRow,
      })),
      ...(args['worker-heap-mib'] ? { workerHeapMiB: Number(args['worker-heap-mib']) } : {}),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
        loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
    };
    log('');
    log(
      '| format | rows/s | paired raw scan rows/s | ratio | CPU ms/1k rows: export (OpenSearch + worker) | raw (OpenSearch + client) | CPU ratio |',
    );
    log('|---|---|---|---|---|---|---|');
    for (const entry of formats)
      log(
        `| ${entry.format} | ${entry.rowsPerSecond} | ${entry.raw.rowsPerSecond} | ${entry.ratio} | ${entry.openSearchCpuMsPerKRow} + ${entry.workerCpuMsPerKRow} | ${entry.raw.openSearchCpuMsPerKRow} + ${entry.raw.clientCpuMsPerKRow} | ${entry.cpuRatio} |`,
      );
    log('');
    log('| rows | format | worker peak RSS MiB |');
    log('|---|---|---|');
    for (const entry of result.rss)
      log(`| ${entry.rows} | ${entry.format} | ${entry.peakRssMiB} |`);
    if (args.out) {
      fs.writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
      log(`wrote ${args.out}`);
    }
  } finally {
    await api.kill();
    fs.rmSync(EXPORT_DIR, { recursive: true, force: true });
    if (!args.keep) {
      await dropPrefix(client, PREFIX);
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const queue = new Queue(EXPORT_QUEUE, { connection, prefix: PREFIX });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      connection.disconnect();
    } else log(`kept the data set: rerun with --prefix ${PREFIX}`);
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
