/**
 * Who sees what in the console, in real Chromium against the real stack (issue 12, Tests):
 * viewer-token links sign in and leave no token in the address bar; a token restricted to
 * `ancestor=project:p1` never shows another project's event however the URL is edited; an
 * expired or reused link gets a clear sign-in error; company B never sees an event of A in
 * any view; an installation admin picks a company and sees admin-only fields. Axe checks the
 * sign-in page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  axeViolations,
  launchChromium,
  newConsoleContext,
  saveScreenshot,
  tableRowIds,
  waitFor,
} from '@auditlog/testing';
import { control, pick } from './controls';
import { A_IDS, B_IDS, COMPANY_A, COMPANY_B } from './seed';
import { type ConsoleStack, startConsoleStack } from './support';
import {
  detailPanel,
  eventsTable,
  eventually,
  expectNoRows,
  expectRows,
  histogramTotal,
  NAMES,
  newestFirst,
  signInWithJwt,
} from './ui';

jest.setTimeout(120_000);

const EXPIRED_TITLE = 'Sign-in link expired or already used';
const P1_IDS = ['a01', 'a04', 'a06', 'a07'];
const NOT_P1 = [...A_IDS.filter((id) => !P1_IDS.includes(id)), ...B_IDS];

/** Everything the page received from the query API, to check what it could ever show. */
interface Received {
  eventIds: Set<string>;
  facetValues: Set<string>;
  histogramTotals: number[];
}

function recordResponses(page: Page): Received {
  const received: Received = { eventIds: new Set(), facetValues: new Set(), histogramTotals: [] };
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/v1/events') || !response.ok()) return;
    void response.json().then(
      (body: {
        data?: Array<{ id: string }>;
        id?: string;
        values?: Array<{ value: string }>;
        total?: number;
        buckets?: unknown;
      }) => {
        for (const event of body.data ?? []) received.eventIds.add(event.id);
        if (typeof body.id === 'string') received.eventIds.add(body.id);
        for (const facet of body.values ?? []) received.facetValues.add(facet.value);
        if (body.buckets !== undefined && typeof body.total === 'number')
          received.histogramTotals.push(body.total);
      },
      () => undefined,
    );
  });
  return received;
}

/** Waits for the page's next `GET /v1/events` list answer (the table's data) while `act` runs. */
async function loadedAfter(page: Page, act: () => Promise<unknown>): Promise<void> {
  const answered = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === '/v1/events' && response.request().method() === 'GET',
  );
  await act();
  await answered;
}

describe('console: sessions, viewer tokens and tenant isolation', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const newPage = async (options: { bypassCSP?: boolean } = {}) => {
    const context = await newConsoleContext(browser, options);
    contexts.push(context);
    return context.newPage();
  };

  beforeAll(async () => {
    // One after the other, so that a stack that fails to start leaves no browser behind.
    browser = await launchChromium();
    stack = await startConsoleStack('console-access');
  }, 180_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  describe('a viewer token restricted to project p1', () => {
    let context: BrowserContext;
    let page: Page;
    let received: Received;

    beforeAll(async () => {
      context = await newConsoleContext(browser);
      page = await context.newPage();
      received = recordResponses(page);
      const grant = await stack.mintViewerToken({
        company_id: COMPANY_A,
        subject: 'host-user-p1',
        filters: { ancestor: 'project:p1' },
        permissions: ['view'],
        ttl_seconds: 900,
      });
      expect(grant.url).toContain('#viewer_token=');
      await page.goto(grant.url);
      await eventsTable(page).waitFor();
    });

    afterAll(() => context?.close());

    it('signs in from the link, and the token is gone from the address bar', async () => {
      await expectRows(page, newestFirst(stack.seeded, ['a01', 'a04', 'a07']));
      const href = await page.evaluate<string>('location.href');
      expect(href).not.toContain('viewer_token');
      expect(href).not.toContain('vt_');
      expect(href).not.toContain('#');
      await saveScreenshot(page, 'console-viewer-p1');
    });

    it.each([
      ['ancestor=project:p2', []],
      ['range=7d&ancestor=project:p2', []],
      ['range=7d', ['a01', 'a04', 'a07', 'a06']],
      ['target_id=svc-2', []],
      ['action=secret.read', []],
      ['q=gateway', []],
      ['action=flow.*', ['a01']],
    ])('the edited URL ?%s only narrows: %j', async (query, expected) => {
      await loadedAfter(page, () => page.goto(stack.console(query)));
      if (expected.length === 0) await expectNoRows(page);
      else await expectRows(page, newestFirst(stack.seeded, expected));
      expect((await tableRowIds(page)).filter((id) => NOT_P1.includes(id))).toEqual([]);
    });

    it('a p2 event opened by id in the URL is not shown', async () => {
      for (const id of ['a02', 'a05']) {
        await page.goto(stack.console(`event=${id}`));
        const problem = page.getByRole('alert');
        await problem.first().waitFor();
        const shown = await page.locator('body').innerText();
        expect(shown).not.toContain('Updated the gateway flow');
        expect(shown).not.toContain('db-password');
        expect((await tableRowIds(page)).filter((row) => NOT_P1.includes(row))).toEqual([]);
      }
      await saveScreenshot(page, 'console-viewer-p1-foreign-event');
    });

    it('nothing the page received or shows belongs to another project', async () => {
      received.histogramTotals.length = 0;
      received.facetValues.clear();
      await loadedAfter(page, () => page.goto(stack.console('range=7d')));
      await expectRows(page, newestFirst(stack.seeded, ['a01', 'a04', 'a07', 'a06']));
      await waitFor(
        () => Promise.resolve(received.facetValues.size > 0 && received.histogramTotals.length > 0),
        { timeoutMs: 10_000 },
      );
      expect([...received.eventIds].filter((id) => NOT_P1.includes(id))).toEqual([]);
      // Values that only p2's and B's events carry never reach facets or the page.
      for (const foreign of ['flow.updated', 'secret.read', 'secret.rotated', 'ag-7', 'tok-1'])
        expect(received.facetValues).not.toContain(foreign);
      const shown = await page.locator('body').innerText();
      for (const foreign of ['flow.updated', 'secret.read', 'Deploy assistant', 'db-password'])
        expect(shown).not.toContain(foreign);
      // The histogram counts the four p1 events of the week, nothing more.
      expect(received.histogramTotals).toEqual([4]);
      await eventually(() => histogramTotal(page).catch(() => -1), 4);
    });
  });

  describe('sign-in errors', () => {
    it('an expired viewer link gets a clear sign-in error', async () => {
      const grant = await stack.mintViewerToken({
        company_id: COMPANY_A,
        subject: 'host-user-expired',
        ttl_seconds: 1,
      });
      const expiresAt = Date.parse(grant.expires_at);
      await waitFor(() => Promise.resolve(Date.now() > expiresAt + 250), { timeoutMs: 5_000 });
      const page = await newPage();
      await page.goto(grant.url);
      const alert = page.getByRole('alert').filter({ hasText: EXPIRED_TITLE });
      await alert.waitFor();
      expect(await page.evaluate('location.href')).not.toContain('viewer_token');
      expect(await eventsTable(page).count()).toBe(0);
      await saveScreenshot(page, 'console-viewer-expired');
    });

    it('a viewer link used twice gets a clear sign-in error the second time', async () => {
      const grant = await stack.mintViewerToken({
        company_id: COMPANY_A,
        subject: 'host-user-twice',
        ttl_seconds: 600,
      });
      const first = await newPage();
      await first.goto(grant.url);
      await eventsTable(first).waitFor();
      const second = await newPage();
      await second.goto(grant.url);
      await second.getByRole('alert').filter({ hasText: EXPIRED_TITLE }).waitFor();
      expect(await eventsTable(second).count()).toBe(0);
      await saveScreenshot(second, 'console-viewer-reused');
    });

    it('a token that is not valid is refused at the prompt with the problem title', async () => {
      const page = await newPage();
      await page.goto(stack.consoleUrl);
      await page.getByLabel(NAMES.signIn.token).fill('not-a-jwt');
      await page.getByRole('button', { name: NAMES.signIn.submit }).click();
      const alert = page.getByRole('alert');
      await alert.first().waitFor();
      expect(await alert.first().innerText()).toMatch(/Unauthorized|401/);
      expect(await eventsTable(page).count()).toBe(0);
    });

    it('axe finds no serious or critical violation on the sign-in page', async () => {
      // axe-core is injected as a script, which the console's CSP (script-src 'self') refuses:
      // this context alone bypasses CSP so that the checker can run.
      const page = await newPage({ bypassCSP: true });
      await page.goto(stack.consoleUrl);
      await page.getByLabel(NAMES.signIn.token).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    });
  });

  describe('company B', () => {
    it('never shows an event of company A in any view', async () => {
      // An export of A's events exists; B's history must not list it.
      const created = await fetch(`${stack.exportUrl}/v1/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.ownerA}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'export-of-company-a', format: 'csv', filters: {} }),
      });
      expect(created.status).toBe(202);
      const ownB = await fetch(`${stack.exportUrl}/v1/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.ownerB}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'export-of-company-b', format: 'csv', filters: {} }),
      });
      expect(ownB.status).toBe(202);

      const grant = await stack.mintViewerToken({
        company_id: COMPANY_B,
        subject: 'host-user-b',
        permissions: ['view', 'export'],
      });
      const page = await newPage();
      const received = recordResponses(page);
      await page.goto(grant.url);
      await eventsTable(page).waitFor();
      await expectRows(page, newestFirst(stack.seeded, ['b01', 'b02', 'b03']), {
        ignoreSelfAudit: true,
      });
      await saveScreenshot(page, 'console-company-b');

      for (const query of ['range=7d', 'target_id=svc-1', 'ancestor=project:p1', 'q=alice']) {
        await loadedAfter(page, () => page.goto(stack.console(query)));
        expect((await tableRowIds(page)).filter((id) => A_IDS.includes(id))).toEqual([]);
      }
      // A's event by id, and A's company named in the URL.
      await page.goto(stack.console('event=a01'));
      await page.getByRole('alert').first().waitFor();
      expect(await page.locator('body').innerText()).not.toContain('Created the payment flow');
      await page.goto(stack.console(`company_id=${COMPANY_A}&range=7d`));
      await page.waitForLoadState('networkidle');
      expect((await tableRowIds(page)).filter((id) => A_IDS.includes(id))).toEqual([]);

      // Facets and histogram: nothing of A reached the page. The query leaves out the API's
      // own read records, so the week holds exactly B's three events (A has seven).
      received.histogramTotals.length = 0;
      received.facetValues.clear();
      await loadedAfter(page, () =>
        page.goto(stack.console(`range=7d&q=${encodeURIComponent('-action:audit_log.*')}`)),
      );
      await expectRows(page, newestFirst(stack.seeded, ['b01', 'b02', 'b03']));
      await waitFor(
        () => Promise.resolve(received.facetValues.size > 0 && received.histogramTotals.length > 0),
        { timeoutMs: 10_000 },
      );
      expect([...received.eventIds].filter((id) => A_IDS.includes(id))).toEqual([]);
      for (const onlyA of ['alice', 'ag-7', 'approval.denied', 'environment.deployed'])
        expect(received.facetValues).not.toContain(onlyA);
      expect(received.histogramTotals).toEqual([3]);
      await eventually(() => histogramTotal(page).catch(() => -1), 3);
      const shown = await page.locator('body').innerText();
      for (const onlyA of ['Alice Martin', 'Deploy assistant', 'approval.denied'])
        expect(shown).not.toContain(onlyA);

      // Export history lists B's own job only.
      await page.getByRole('tab', { name: NAMES.tabs.exports }).click();
      await page.getByText('export-of-company-b').first().waitFor();
      expect(await page.getByText('export-of-company-a').count()).toBe(0);
      await saveScreenshot(page, 'console-company-b-exports');
    });
  });

  describe('an installation admin', () => {
    it('picks a company and sees admin-only fields; owners get no company control', async () => {
      const page = await newPage();
      // By now A's log also holds the other tests' read records; `action=flow.*` leaves them out.
      await signInWithJwt(page, stack.console('action=flow.*'), stack.admin);
      await pick(control(page, NAMES.company), [COMPANY_A]);
      await expectRows(page, ['a01', 'a02']);
      expect(new URL(page.url()).searchParams.get('company_id')).toBe(COMPANY_A);
      await page.locator('tr[data-event-id="a01"]').click();
      const detail = detailPanel(page);
      await detail.getByText('producer', { exact: true }).waitFor();
      expect(await detail.innerText()).toContain('127.0.0.1');
      await saveScreenshot(page, 'console-admin-detail');

      await pick(control(page, NAMES.company), [COMPANY_B]);
      await expectRows(page, ['b01']);

      const owner = await newPage();
      await signInWithJwt(owner, stack.consoleUrl, stack.ownerA);
      await owner.goto(stack.console('action=flow.*&event=a01'));
      await detailPanel(owner).waitFor();
      await detailPanel(owner).getByText('Created the payment flow').first().waitFor();
      expect(await owner.getByLabel(NAMES.company, { exact: true }).count()).toBe(0);
      expect(await detailPanel(owner).getByText('producer', { exact: true }).count()).toBe(0);
      await expectRows(owner, ['a01', 'a02']);
    });
  });
});
