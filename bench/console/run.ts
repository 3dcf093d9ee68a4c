/**
 * `npm run bench:console [-- --events 1e6 --iterations 15 --days 30 --keep --prefix P --out f.json]`:
 * the console in headless Chromium over N events (default 1,000,000, all inside the page's
 * 30-day window), measured with the Performance API in the page —
 *  - navigation → first rows painted (`performance.now()` in the first animation frame after a
 *    `tr[data-event-id]` exists; `performance.mark('auditlog:rows-painted')` when the console
 *    sets it), and
 *  - a filter change (Apply) → the updated table painted —
 * next to the raw query API latency of the very `GET /v1/events` request the page made,
 * replayed with fetch from Node in the same run. The console's overhead is the difference.
 * Also prints the JavaScript shipped (gzip) from dist/console/assets. Results go to
 * bench/results/<date>-console.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Client } from '@opensearch-project/opensearch';
import jwt from 'jsonwebtoken';
import type { Page } from 'playwright-core';
import {
  type AppProcess,
  dropPrefix,
  launchChromium,
  newConsoleContext,
  startProcess,
  cycle,
} from '@auditlog/testing';
import { NAMES } from '../../test/console/ui';
import { parseCount, resultsDate } from '../report/args';
import { describeMachine } from '../report/machine';
import { markdownTable } from '../report/markdown';
import { type LatencySummary, round, summarize } from '../report/stats';
import { ensureDataset } from '../query/dataset';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    iterations: { type: 'string', default: '15' },
    days: { type: 'string', default: '30' },
    prefix: { type: 'string' },
    keep: { type: 'boolean', default: false },
    port: { type: 'string', default: '3922' },
    out: { type: 'string' },
    'results-dir': { type: 'string', default: 'bench/results' },
  },
});
const EVENTS = parseCount(args.events);
const ITERATIONS = parseCount(args.iterations, '--iterations');
const DAYS = parseCount(args.days, '--days');
const PORT = Number(args.port);
const PREFIX = args.prefix ?? `bench-console-${randomBytes(3).toString('hex')}`;
const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32).toString('base64url');
const ROOT = resolve(__dirname, '../..');
/** The built console; CONSOLE_DIR may name another build of it. */
const CONSOLE_DIR = process.env.CONSOLE_DIR ?? join(ROOT, 'dist', 'console');
const ASSETS = join(CONSOLE_DIR, 'assets');
/** The console's own session key (apps/console/src/session.ts). */
const SESSION_KEY = 'auditlog.console.session';
const JS_BUDGET_BYTES = 150 * 1024;
const OVERHEAD_BUDGET_MS = 100;
const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Installed before the console's scripts: notes when the first event row exists and, one
 * animation frame later, when it is painted; and lets the bench time a table update.
 */
const PROBE = `(() => {
  const bench = { firstRowsPainted: null, pending: null };
  window.__bench = bench;
  const firstId = () => document.querySelector('tr[data-event-id]')?.getAttribute('data-event-id') ?? null;
  new MutationObserver(() => {
    if (bench.firstRowsPainted === null && bench.firstRowsSeen === undefined && firstId()) {
      bench.firstRowsSeen = performance.now();
      requestAnimationFrame(() => { bench.firstRowsPainted = performance.now(); });
    }
    const pending = bench.pending;
    if (pending && !pending.seen && firstId() === pending.expectFirst) {
      pending.seen = true;
      requestAnimationFrame(() => pending.done(performance.now()));
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-event-id'] });
})();`;

interface Sample {
  /** Navigation start → first rows painted, from the page's clock. */
  rowsPaintedMs: number;
  /** The page's own GET /v1/events, resource timing (request start → response end). */
  pageRequestMs: number;
  /** The same request replayed from Node right after. */
  apiMs: number;
}

interface ConsoleResult {
  benchmark: 'console';
  events: number;
  companyEventsInWindow: number;
  iterations: number;
  navigation: {
    rowsPainted: LatencySummary;
    pageRequest: LatencySummary;
    api: LatencySummary;
    overheadP50Ms: number;
    coldRowsPaintedMs: number;
  };
  filterChange: {
    updated: LatencySummary;
    api: LatencySummary;
    overheadP50Ms: number;
  };
  javascript: { files: number; bytes: number; gzipBytes: number; budgetGzipBytes: number };
  usedPerformanceMark: boolean;
}

function shippedJavaScript(): ConsoleResult['javascript'] {
  const files = readdirSync(ASSETS).filter((name) => name.endsWith('.js'));
  let bytes = 0;
  let gzipBytes = 0;
  for (const name of files) {
    const content = readFileSync(join(ASSETS, name));
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files: files.length, bytes, gzipBytes, budgetGzipBytes: JS_BUDGET_BYTES };
}

async function main(): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL });
  const javascript = shippedJavaScript();
  log(
    `console benchmark: ${EVENTS} events over ${DAYS} days, prefix ${PREFIX}, ${ITERATIONS} iterations; ` +
      `JS shipped ${(javascript.gzipBytes / 1024).toFixed(1)} KiB gzip in ${javascript.files} files`,
  );
  const app: AppProcess = await startProcess(
    'query',
    {
      OPENSEARCH_URL,
      REDIS_URL,
      OPENSEARCH_INDEX_PREFIX: PREFIX,
      REDIS_KEY_PREFIX: PREFIX,
      AUTH_JWT_SECRET: SECRET,
      CONSOLE_DIR,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    { port: PORT, waitFor: '/health/ready' },
  );
  const browser = await launchChromium();
  try {
    const now = await ensureDataset(client, PREFIX, EVENTS, DAYS, log);
    const token = jwt.sign({ sub: 'bench', company_id: 'acme', roles: ['company_owner'] }, SECRET, {
      algorithm: 'HS256',
      expiresIn: '2h',
    });
    const origin = `http://127.0.0.1:${PORT}`;
    const replay = async (url: string): Promise<{ ms: number; firstId: string | undefined }> => {
      const started = performance.now();
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { data?: Array<{ id: string }> };
      const ms = performance.now() - started;
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return { ms, firstId: body.data?.[0]?.id };
    };

    const context = await newConsoleContext(browser);
    // Signed in as the console keeps a pasted JWT: the bench times the views, not the prompt.
    await context.addInitScript(
      `sessionStorage.setItem(${JSON.stringify(SESSION_KEY)}, ${JSON.stringify(
        JSON.stringify({ token, via: 'jwt', expiresAt: null }),
      )});`,
    );
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    let lastEventsUrl = '';
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/events' && request.method() === 'GET')
        lastEventsUrl = request.url();
    });
    const consoleUrl = `${origin}/console/?range=${DAYS <= 7 ? '7d' : '30d'}`;

    const navigate = async (): Promise<Sample & { usedMark: boolean }> => {
      lastEventsUrl = '';
      await page.goto(consoleUrl, { waitUntil: 'commit' });
      // Polled with evaluate (a CDP call): waitForFunction's string form is an eval that the
      // console's CSP rightly refuses.
      const deadline = Date.now() + 60_000;
      while (
        !(await page
          .evaluate<boolean>('!!(window.__bench && window.__bench.firstRowsPainted !== null)')
          .catch(() => false))
      ) {
        if (Date.now() > deadline) throw new Error('no rows painted within 60 s');
        await new Promise((done) => setTimeout(done, 20));
      }
      const timings = await page.evaluate<{
        painted: number;
        mark: number | null;
        request: number | null;
      }>(`(() => {
        const mark = performance.getEntriesByName('auditlog:rows-painted', 'mark')[0];
        const requests = performance.getEntriesByType('resource')
          .filter((entry) => new URL(entry.name).pathname === '/v1/events');
        const last = requests[requests.length - 1];
        return {
          painted: window.__bench.firstRowsPainted,
          mark: mark ? mark.startTime : null,
          request: last ? last.responseEnd - last.startTime : null,
        };
      })()`);
      if (!lastEventsUrl) throw new Error('the page made no GET /v1/events request');
      const api = await replay(lastEventsUrl);
      return {
        rowsPaintedMs: timings.mark ?? timings.painted,
        pageRequestMs: timings.request ?? Number.NaN,
        apiMs: api.ms,
        usedMark: timings.mark !== null,
      };
    };

    const cold = await navigate();
    const warm: Sample[] = [];
    let usedMark = cold.usedMark;
    for (let round = -2; round < ITERATIONS; round++) {
      const sample = await navigate();
      usedMark ||= sample.usedMark;
      if (round >= 0) warm.push(sample);
    }

    // Filter changes: alternate two action prefixes through the filter bar.
    const updated: number[] = [];
    const filterApi: number[] = [];
    const values = ['flow.*', 'auth.*'];
    await page.goto(consoleUrl);
    await page.locator('tr[data-event-id]').first().waitFor({ timeout: 60_000 });
    for (let round = -2; round < ITERATIONS; round++) {
      const value = cycle(values, round + 2, 'action filter');
      const expectedUrl = new URL(lastEventsUrl);
      expectedUrl.searchParams.set('action', value);
      const { firstId } = await replay(expectedUrl.toString());
      if (!firstId) throw new Error(`no event matches action=${value}`);
      await page.getByLabel(NAMES.filters.action, { exact: true }).fill(value);
      lastEventsUrl = '';
      const ms = await timeTableUpdate(page, firstId);
      if (!lastEventsUrl.includes(`action=${encodeURIComponent(value)}`))
        throw new Error(`the page asked ${lastEventsUrl}, not for action=${value}`);
      const api = await replay(lastEventsUrl);
      if (round < 0) continue;
      updated.push(ms);
      filterApi.push(api.ms);
    }

    const companyEvents = await client.count({
      index: `${PREFIX}-events-*`,
      body: {
        query: {
          bool: {
            filter: [
              { term: { company_id: 'acme' } },
              { range: { timestamp: { gte: new Date(now - DAYS * 86_400_000).toISOString() } } },
            ],
          },
        },
      },
    });
    const rowsPainted = summarize(warm.map((sample) => sample.rowsPaintedMs));
    const api = summarize(warm.map((sample) => sample.apiMs));
    const filterUpdated = summarize(updated);
    const filterApiSummary = summarize(filterApi);
    const result: ConsoleResult = {
      benchmark: 'console',
      events: EVENTS,
      companyEventsInWindow: companyEvents.body.count,
      iterations: ITERATIONS,
      navigation: {
        rowsPainted,
        pageRequest: summarize(warm.map((sample) => sample.pageRequestMs)),
        api,
        overheadP50Ms: round(rowsPainted.p50Ms - api.p50Ms),
        coldRowsPaintedMs: round(cold.rowsPaintedMs),
      },
      filterChange: {
        updated: filterUpdated,
        api: filterApiSummary,
        overheadP50Ms: round(filterUpdated.p50Ms - filterApiSummary.p50Ms),
      },
      javascript,
      usedPerformanceMark: usedMark,
    };
    const markdown = renderMarkdown(result, await describeMachine(OPENSEARCH_URL));
    log('');
    log(markdown);
    const dir = resolve(args['results-dir']);
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `${resultsDate(new Date())}-console`);
    writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(`${base}.md`, markdown);
    if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${base}.json and ${base}.md`);
  } finally {
    await browser.close();
    await app.kill('SIGTERM');
    if (!args.keep) await dropPrefix(client, PREFIX);
    else log(`kept the data set: rerun with --prefix ${PREFIX}`);
    await client.close();
  }
}

/** Clicks Apply and answers the page-clock ms until the table shows `firstId` on top, painted. */
async function timeTableUpdate(page: Page, firstId: string): Promise<number> {
  const apply = NAMES.filters.apply;
  return page.evaluate<number>(`new Promise((resolve, reject) => {
    const button = [...document.querySelectorAll('button')]
      .find((node) => node.textContent.trim() === ${JSON.stringify(apply)});
    if (!button) return reject(new Error('no ${apply} button'));
    const started = performance.now();
    const timer = setTimeout(() => reject(new Error('table not updated within 60 s')), 60000);
    window.__bench.pending = {
      expectFirst: ${JSON.stringify(firstId)},
      seen: false,
      done: (at) => { clearTimeout(timer); window.__bench.pending = null; resolve(at - started); },
    };
    button.click();
  })`);
}

function renderMarkdown(
  result: ConsoleResult,
  machine: Awaited<ReturnType<typeof describeMachine>>,
): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return [
    `# Console benchmark ${resultsDate(new Date())}`,
    '',
    `Command: \`npm run bench:console -- --events ${result.events}\`. ` +
      `${result.events.toLocaleString('en-US')} events, ` +
      `${result.companyEventsInWindow.toLocaleString('en-US')} of the signed-in company in the ` +
      `page's window; ${result.iterations} iterations after 2 warm-ups; headless Chromium.`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, load ` +
      `${machine.loadAverage.join(' / ')}, Node.js ${machine.node}, OpenSearch ${machine.opensearch}.`,
    '',
    markdownTable(
      ['step', 'console p50 ms', 'console p95 ms', 'API p50 ms', 'API p95 ms', 'overhead p50 ms'],
      [
        [
          'navigation → first rows painted',
          result.navigation.rowsPainted.p50Ms,
          result.navigation.rowsPainted.p95Ms,
          result.navigation.api.p50Ms,
          result.navigation.api.p95Ms,
          result.navigation.overheadP50Ms,
        ],
        [
          'filter change → table updated',
          result.filterChange.updated.p50Ms,
          result.filterChange.updated.p95Ms,
          result.filterChange.api.p50Ms,
          result.filterChange.api.p95Ms,
          result.filterChange.overheadP50Ms,
        ],
      ],
    ),
    '',
    `The API columns time the same \`GET /v1/events\` request the page made, replayed with fetch ` +
      `from Node. In the page, that request took p50 ${result.navigation.pageRequest.p50Ms} ms ` +
      `(resource timing). First (cold) navigation: ${result.navigation.coldRowsPaintedMs} ms to rows ` +
      `painted. Aim: overhead ≤ ${OVERHEAD_BUDGET_MS} ms.`,
    '',
    `JavaScript shipped: ${result.javascript.files} files, ${kib(result.javascript.bytes)}, ` +
      `${kib(result.javascript.gzipBytes)} gzip (aim ≤ ${kib(result.javascript.budgetGzipBytes)}).` +
      (result.usedPerformanceMark
        ? " Rows painted: the console's `auditlog:rows-painted` mark."
        : ' Rows painted: first animation frame after the first row exists (no console mark).'),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
