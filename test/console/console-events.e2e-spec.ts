/**
 * The console's events view in real Chromium against the real stack (issue 12, Tests): every
 * filter narrows the table to exactly the seeded events it should, deep links reproduce a view,
 * the detail panel shows the diff of `changes`, a problem+json error is shown as its title and
 * detail, the page is served with its CSP and cache headers, and axe finds no serious or
 * critical violation on the table with the detail open.
 */
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import {
  axeViolations,
  launchChromium,
  newConsoleContext,
  saveScreenshot,
  tableRowIds,
} from '@auditlog/testing';
import { chooseRange, control, setControl, setInstant } from './controls';
import { A_CHANGES, A_IDS, A_LAST_24H, COMPANY_A } from './seed';
import { type ConsoleStack, startConsoleStack } from './support';
import {
  applyFilters,
  changeRows,
  detailPanel,
  eventsTable,
  eventually,
  expectRows,
  histogramTotal,
  NAMES,
  newestFirst,
  seedRowIds,
  signInWithJwt,
  urlParams,
} from './ui';

jest.setTimeout(120_000);

const MINUTE = 60_000;
const F = NAMES.filters;

interface FilterCase {
  name: string;
  /** Operates the filter bar as a person would. */
  set: (page: Page, stack: ConsoleStack) => Promise<void>;
  /** The URL must then hold each of these parameters (name, value or a test of the value). */
  url: Array<[string, string | RegExp]>;
  expected: string[];
}

/** The values a text box suggests (its datalist), sorted. */
async function suggestions(page: Page, label: string): Promise<string[]> {
  const list = await control(page, label).getAttribute('list');
  if (!list) return [];
  const values = await page
    .locator(`datalist[id="${list}"] option`)
    .evaluateAll((options) => options.map((option) => option.getAttribute('value') ?? ''));
  return [...new Set(values)].sort();
}

const text =
  (label: string, value: string) =>
  (page: Page): Promise<void> =>
    setControl(page, label, value);

const CASES: FilterCase[] = [
  {
    name: 'time range preset: last hour',
    set: (page) => chooseRange(page, '1h'),
    url: [['range', '1h']],
    expected: ['a01', 'a02', 'a03', 'a07'],
  },
  {
    name: 'time range preset: last 7 days',
    set: (page) => chooseRange(page, '7d'),
    url: [['range', '7d']],
    expected: A_IDS,
  },
  {
    name: 'time range: custom from and to',
    set: async (page, stack) => {
      await chooseRange(page, 'custom');
      await setInstant(page, F.from, new Date(stack.seededAt - 150 * MINUTE).toISOString());
      await setInstant(page, F.to, new Date(stack.seededAt - 90 * MINUTE).toISOString());
    },
    url: [
      ['from', /^\d{4}-\d\d-\d\dT/],
      ['to', /^\d{4}-\d\d-\d\dT/],
    ],
    expected: ['a04'],
  },
  {
    name: 'action, exact',
    set: text(F.action, 'flow.created'),
    url: [['action', 'flow.created']],
    expected: ['a01'],
  },
  {
    name: 'action, prefix',
    set: text(F.action, 'flow.*'),
    url: [['action', 'flow.*']],
    expected: ['a01', 'a02'],
  },
  {
    name: 'category',
    set: text(F.category, 'auth'),
    url: [['category', 'auth']],
    expected: ['a03'],
  },
  {
    name: 'operation',
    set: text(F.operation, 'update'),
    url: [['operation', 'update']],
    expected: ['a02', 'a07'],
  },
  {
    name: 'identity type: agent',
    set: text(F.actorType, 'agent'),
    url: [['actor_type', 'agent']],
    expected: ['a02'],
  },
  {
    name: 'identity type: service',
    set: text(F.actorType, 'service'),
    url: [['actor_type', 'service']],
    expected: ['a04'],
  },
  {
    name: 'user by id',
    set: text(F.user, 'alice'),
    url: [['actor_id', 'alice']],
    expected: ['a01', 'a07'],
  },
  {
    name: 'user by email',
    set: text(F.user, 'bob@a.example'),
    url: [['actor_email', 'bob@a.example']],
    expected: ['a03'],
  },
  {
    name: 'target type',
    set: text(F.targetType, 'secret'),
    url: [['target_type', 'secret']],
    expected: ['a05'],
  },
  {
    name: 'target id',
    set: text(F.targetId, 'svc-1'),
    url: [['target_id', 'svc-1']],
    expected: ['a01'],
  },
  {
    name: 'ancestor picker: project p2',
    set: text(F.project, 'p2'),
    url: [['ancestor', 'project:p2']],
    expected: ['a02', 'a05'],
  },
  {
    name: 'cascading ancestor pickers: project p1, environment env-1, service svc-1',
    set: async (page) => {
      await setControl(page, F.project, 'p1');
      // The environment picker offers what lies under p1 only.
      await eventually(() => suggestions(page, F.environment), ['env-1'], { timeout: 10_000 });
      await setControl(page, F.environment, 'env-1');
      await eventually(() => suggestions(page, F.service), ['svc-1'], { timeout: 10_000 });
      await setControl(page, F.service, 'svc-1');
    },
    url: [['ancestor', 'service:svc-1']],
    expected: ['a01', 'a07'],
  },
  {
    name: 'outcome',
    set: text(F.outcome, 'failure'),
    url: [['outcome', 'failure']],
    expected: ['a02', 'a03', 'a07'],
  },
  {
    name: 'source tool',
    set: text(F.sourceTool, 'terraform'),
    url: [['source_tool', 'terraform']],
    expected: ['a04'],
  },
  {
    name: 'IP address',
    set: text(F.ip, '10.0.0.5'),
    url: [['source_ip', '10.0.0.5']],
    expected: ['a01', 'a07'],
  },
  {
    name: 'IP CIDR',
    set: text(F.ip, '10.0.0.0/24'),
    url: [['source_ip', '10.0.0.0/24']],
    expected: ['a01', 'a07', 'a05'],
  },
  {
    name: 'context: task id',
    set: text(F.taskId, 't-1'),
    url: [['context.task_id', 't-1']],
    expected: ['a01'],
  },
  {
    name: 'context: agent id',
    set: text(F.agentId, 'ag-7'),
    url: [['context.agent_id', 'ag-7']],
    expected: ['a02'],
  },
  {
    name: 'context: flow id',
    set: text(F.flowId, 'f-9'),
    url: [['context.flow_id', 'f-9']],
    expected: ['a02'],
  },
  {
    name: 'context: transaction id',
    set: text(F.transactionId, 'tx-1'),
    url: [['context.transaction_id', 'tx-1']],
    expected: ['a04'],
  },
  {
    name: 'free text',
    set: text(F.q, 'rollback'),
    url: [['q', 'rollback']],
    expected: ['a07'],
  },
  {
    name: 'qualifiers: action prefix and outcome',
    set: text(F.q, 'action:auth.* outcome:failure'),
    url: [['q', 'action:auth.* outcome:failure']],
    expected: ['a03'],
  },
  {
    name: 'qualifiers: an exclusion',
    set: text(F.q, '-action:flow.* outcome:failure'),
    url: [['q', '-action:flow.* outcome:failure']],
    expected: ['a03', 'a07'],
  },
];

describe('console: the events view of a company owner', () => {
  let stack: ConsoleStack;
  let browser: Browser;

  beforeAll(async () => {
    // One after the other, so that a stack that fails to start leaves no browser behind.
    browser = await launchChromium();
    stack = await startConsoleStack('console-events');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  // An installation admin reading company A: admins' reads are not recorded as company events
  // (owners' are, as `audit_log.viewed`, and would crowd the first page over many views), so
  // every table below is exactly the seed.
  describe('filters', () => {
    let context: BrowserContext;
    let page: Page;
    const view = (query = '') =>
      stack.console([`company_id=${COMPANY_A}`, query].filter(Boolean).join('&'));

    beforeAll(async () => {
      context = await newConsoleContext(browser);
      page = await context.newPage();
      await signInWithJwt(page, stack.consoleUrl, stack.admin);
    });

    afterAll(() => context?.close());

    it('starts from the last 24 hours of company A only', async () => {
      await page.goto(view());
      await expectRows(page, A_LAST_24H);
      await saveScreenshot(page, 'console-events-default');
    });

    it.each(CASES)('$name narrows the table to exactly the expected events', async (filter) => {
      await page.goto(view());
      await expectRows(page, A_LAST_24H);
      await filter.set(page, stack);
      await applyFilters(page);
      const expected = newestFirst(stack.seeded, filter.expected);
      await expectRows(page, expected);
      const params = urlParams(page);
      for (const [name, value] of filter.url) {
        const values = params.filter(([key]) => key === name).map(([, v]) => v);
        expect({ [name]: values }).toEqual({
          [name]: expect.arrayContaining([
            typeof value === 'string' ? value : expect.stringMatching(value),
          ]),
        });
      }
      // The same URL, opened afresh, reproduces the same rows.
      await page.reload();
      await expectRows(page, expected);
    });

    it('the histogram counts exactly the filtered events', async () => {
      await page.goto(view('range=7d&action=flow.*'));
      await expectRows(page, newestFirst(stack.seeded, ['a01', 'a02', 'a06']));
      await eventually(() => histogramTotal(page).catch(() => -1), 3);
    });

    it('reset brings back the unfiltered table', async () => {
      await page.goto(view('action=flow.created'));
      await expectRows(page, ['a01']);
      await page.getByRole('button', { name: F.reset }).click();
      await expectRows(page, A_LAST_24H);
      expect(urlParams(page).filter(([name]) => name === 'action')).toEqual([]);
    });
  });

  describe('one event', () => {
    let context: BrowserContext;
    let page: Page;

    beforeEach(async () => {
      context = await newConsoleContext(browser);
      page = await context.newPage();
      await signInWithJwt(page, stack.consoleUrl, stack.ownerA);
    });

    afterEach(() => context?.close());

    it('a deep link reproduces the filtered view with the event detail open', async () => {
      await page.goto(stack.console('action=flow.*&event=a02'));
      await expectRows(page, ['a01', 'a02']);
      const detail = detailPanel(page);
      await detail.waitFor();
      await expect(detail.innerText()).resolves.toContain('a02');
      await expect(detail.innerText()).resolves.toContain('Updated the gateway flow');
      expect(await control(page, F.action).inputValue()).toBe('flow.*');
      await saveScreenshot(page, 'console-deep-link');
      // A link opened in a tab of its own (sessions are per tab): signed in at the prompt, the
      // page keeps the link's view.
      const other = await context.newPage();
      await signInWithJwt(other, stack.console('action=flow.*&event=a02'), stack.ownerA);
      await expectRows(other, ['a01', 'a02']);
      await expect(detailPanel(other).innerText()).resolves.toContain('Updated the gateway flow');
    });

    it('the detail panel shows the before/after diff of the changes', async () => {
      await page.goto(stack.console('action=flow.*'));
      await expectRows(page, ['a01', 'a02']);
      await page.locator('tr[data-event-id="a01"]').click();
      await detailPanel(page).waitFor();
      expect(new URL(page.url()).searchParams.get('event')).toBe('a01');
      const unquote = (cell: string) => cell.replace(/^"(.*)"$/, '$1');
      await detailPanel(page).getByRole('table', { name: NAMES.changes }).waitFor();
      const rows = (await changeRows(page)).map((row) => row.map(unquote));
      expect(rows).toEqual(
        A_CHANGES.map((change) => [change.field, String(change.before), String(change.after)]),
      );
      await saveScreenshot(page, 'console-detail-diff');
    });

    it('a problem+json answer is shown as its title and detail', async () => {
      const from = new Date(stack.seededAt - 200 * 86_400_000).toISOString();
      const to = new Date(stack.seededAt).toISOString();
      const direct = await fetch(
        `${stack.queryUrl}/v1/events?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        { headers: { authorization: `Bearer ${stack.ownerA}` } },
      );
      expect(direct.status).toBe(400);
      const problem = (await direct.json()) as { title: string; detail: string };
      expect(problem.title).toBeTruthy();
      await page.goto(
        stack.console(`from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
      );
      const alert = page.getByRole('alert').filter({ hasText: problem.title });
      await alert.first().waitFor();
      const shown = await alert.first().innerText();
      expect(shown).toContain(problem.title);
      expect(shown).toContain(problem.detail);
      expect(await tableRowIds(page)).toEqual([]);
      await saveScreenshot(page, 'console-problem');
    });

    it('axe finds no serious or critical violation on the table with the detail open', async () => {
      // axe-core is injected as a script; the console's CSP (script-src 'self') would refuse
      // it, so this one context bypasses CSP. The other tests run under the real policy.
      const axeContext = await newConsoleContext(browser, { bypassCSP: true });
      try {
        const axePage = await axeContext.newPage();
        await signInWithJwt(axePage, stack.consoleUrl, stack.ownerA);
        await axePage.goto(stack.console('action=flow.*&event=a01'));
        await expectRows(axePage, ['a01', 'a02']);
        await detailPanel(axePage).waitFor();
        expect(await axeViolations(axePage)).toEqual([]);
        await saveScreenshot(axePage, 'console-axe-events');
      } finally {
        await axeContext.close();
      }
    });
  });

  describe('serving', () => {
    it('the page carries the CSP, index.html is never cached, hashed assets are immutable', async () => {
      const context = await newConsoleContext(browser);
      try {
        const page = await context.newPage();
        const assets: Response[] = [];
        const foreign: string[] = [];
        page.on('response', (response) => {
          if (new URL(response.url()).pathname.startsWith('/console/assets/'))
            assets.push(response);
        });
        page.on('request', (request) => {
          const origin = new URL(request.url()).origin;
          if (![stack.queryUrl, stack.exportUrl].includes(origin) && !/^data:/.test(request.url()))
            foreign.push(request.url());
        });
        const main = await page.goto(stack.consoleUrl);
        expect(main?.status()).toBe(200);
        const headers = main?.headers() ?? {};
        expect(headers['cache-control']).toBe('no-store');
        const csp = headers['content-security-policy'] ?? '';
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
        expect(csp).toContain(`connect-src 'self' ${stack.exportUrl}`);
        await page.getByLabel(NAMES.signIn.token).waitFor();
        expect(assets.length).toBeGreaterThan(0);
        for (const asset of assets) {
          expect(asset.status()).toBe(200);
          expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
          expect(new URL(asset.url()).pathname).toMatch(/[-.][A-Za-z0-9_-]{8,}\.(js|css)$/);
        }
        // Air-gapped: nothing is fetched from anywhere but the appliance.
        expect(foreign).toEqual([]);
        await saveScreenshot(page, 'console-sign-in');
      } finally {
        await context.close();
      }
    });

    it('the table renders for a signed-in owner under the real CSP', async () => {
      const context = await newConsoleContext(browser);
      try {
        const page = await context.newPage();
        const refused: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
        });
        await signInWithJwt(page, stack.consoleUrl, stack.ownerA);
        await expect(eventsTable(page).isVisible()).resolves.toBe(true);
        await expectRows(page, A_LAST_24H, { ignoreSelfAudit: true });
        expect(await seedRowIds(page)).toEqual(A_LAST_24H);
        expect(refused).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
