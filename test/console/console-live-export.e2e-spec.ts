/**
 * Live mode, exports and the integrity tab of the console in real Chromium against the real
 * stack (issue 12, Tests): a newly ingested event appears within 3 s while Live is on, once;
 * an export job completes in the history and the downloaded file holds exactly the filtered
 * events; a small export downloads at once; axe checks the exports and integrity tabs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import {
  axeViolations,
  launchChromium,
  newConsoleContext,
  saveScreenshot,
  tableRowIds,
  waitFor,
  entryOf,
} from '@auditlog/testing';
import { control, pick } from './controls';
import { COMPANY_A, type SeedInput } from './seed';
import { type ConsoleStack, startConsoleStack } from './support';
import { expectRows, NAMES, newestFirst, signInWithJwt } from './ui';

jest.setTimeout(120_000);

/** The behavioural limit: new matching events appear ≤ 3 s after ingest. */
const LIVE_LIMIT_MS = 3_000;

function liveEvent(id: string): SeedInput {
  return {
    id,
    company_id: COMPANY_A,
    timestamp: new Date().toISOString(),
    action: 'flow.executed',
    operation: 'execute',
    actor: { id: 'alice', type: 'user', name: 'Alice Martin' },
    // A project of its own, so that the other tests' filtered tables never include it.
    target: { type: 'service', id: 'svc-live', ancestors: [{ type: 'project', id: 'p-live' }] },
    description: `Live event ${id}`,
  };
}

/** Ids of the events in a downloaded CSV (column `id`) or NDJSON file. */
function downloadedIds(download: Download, path: string): string[] {
  const bytes = readFileSync(path);
  if (/\.ndjson$/.test(download.suggestedFilename())) {
    return bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => (JSON.parse(line) as { id: string }).id);
  }
  const records: Array<Record<string, string>> = parseCsv(bytes, { bom: true, columns: true });
  return records.map((record) => entryOf(record, 'id', 'CSV column'));
}

describe('console: live mode, exports and integrity', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startConsoleStack('console-live-export', {
      env: {
        // Exports of more than one row become export jobs, so the job path is the one taken.
        EXPORT_STREAM_MAX_ROWS: '1',
        // Digests signed every minute, so the integrity tab has a verdict to give.
        INTEGRITY_SIGNING_KEY: generateKeyPairSync('ed25519')
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        INTEGRITY_WINDOW: '1m',
        // Long enough for the suite's own audit_log.viewed events, written by the query app
        // a moment after each read (later on a loaded machine), to be stored before sealing.
        INTEGRITY_SETTLE_SECONDS: '20',
        INTEGRITY_JOB_INTERVAL_SECONDS: '1',
      },
      maintenance: true,
    });
  }, 180_000);

  beforeEach(async () => {
    context = await newConsoleContext(browser);
    page = await context.newPage();
    await signInWithJwt(page, stack.consoleUrl, stack.ownerA);
  });

  afterEach(() => context?.close());

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('live mode shows a newly ingested event within 3 s, each event once', async () => {
    await page.goto(stack.console('action=flow.*'));
    await expectRows(page, ['a01', 'a02']);
    const live = page.getByRole('button', { name: NAMES.live, exact: true });
    await live.click();
    await page
      .locator('[aria-pressed="true"]')
      .filter({ hasText: NAMES.live })
      .or(page.getByRole('button', { name: /pause/i }))
      .first()
      .waitFor();

    for (const id of ['live-1', 'live-2']) {
      const started = Date.now();
      await stack.ingest([liveEvent(id)]);
      await page.locator(`tr[data-event-id="${id}"]`).waitFor({ timeout: 10_000 });
      const elapsed = Date.now() - started;
      expect({ id, elapsed, withinLimit: elapsed <= LIVE_LIMIT_MS }).toEqual({
        id,
        elapsed,
        withinLimit: true,
      });
    }
    const ids = await tableRowIds(page);
    expect(ids.filter((id) => id.startsWith('live-') || id.startsWith('a0'))).toEqual([
      'live-2',
      'live-1',
      'a01',
      'a02',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    await saveScreenshot(page, 'console-live');
  });

  it('an export job completes in the history and its file has exactly the filtered rows', async () => {
    await page.goto(stack.console('range=7d&ancestor=project:p1'));
    const expected = newestFirst(stack.seeded, ['a01', 'a04', 'a06', 'a07']);
    await expectRows(page, expected, { ignoreSelfAudit: true });
    await page.getByRole('button', { name: NAMES.export.open, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: NAMES.export.dialog });
    await dialog.waitFor();
    await dialog.getByLabel(NAMES.export.name, { exact: true }).fill('p1-week');
    await pick(dialog.getByLabel(NAMES.export.format, { exact: true }), ['ndjson', 'NDJSON']);
    await dialog.getByRole('button', { name: NAMES.export.submit }).click();

    if (!new URL(page.url()).searchParams.get('tab'))
      await page.getByRole('tab', { name: NAMES.tabs.exports }).click();
    const row = page.getByRole('row').filter({ hasText: 'p1-week' });
    await row.first().waitFor();
    await row
      .filter({ hasText: /completed/i })
      .first()
      .waitFor({ timeout: 60_000 });
    await saveScreenshot(page, 'console-export-history');
    const downloading = page.waitForEvent('download');
    await row.getByRole('button', { name: NAMES.export.download }).click();
    const download = await downloading;
    const path = await download.path();
    expect(download.suggestedFilename()).toMatch(/\.ndjson$/);
    // The file holds the filtered events, nothing else (the API's read records are not p1's).
    expect(downloadedIds(download, path).sort()).toEqual([...expected].sort());
  });

  it('a small export downloads at once with the filtered row', async () => {
    await page.goto(stack.console('action=flow.created'));
    await expectRows(page, ['a01']);
    await page.getByRole('button', { name: NAMES.export.open, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: NAMES.export.dialog });
    await dialog.getByLabel(NAMES.export.name, { exact: true }).fill('one-flow');
    await pick(dialog.getByLabel(NAMES.export.format, { exact: true }), ['csv', 'CSV']);
    const downloading = page.waitForEvent('download');
    await dialog.getByRole('button', { name: NAMES.export.submit }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(downloadedIds(download, await download.path())).toEqual(['a01']);
  });

  it('axe finds no serious or critical violation on the exports and integrity tabs', async () => {
    // axe-core is injected as a script; the console's CSP (script-src 'self') would refuse it,
    // so only this context bypasses CSP.
    const axeContext = await newConsoleContext(browser, { bypassCSP: true });
    try {
      const axePage = await axeContext.newPage();
      await signInWithJwt(axePage, stack.consoleUrl, stack.ownerA);
      await axePage.goto(stack.console('action=flow.created'));
      await expectRows(axePage, ['a01']);

      await axePage.getByRole('tab', { name: NAMES.tabs.exports }).click();
      await axePage.getByRole('tabpanel').first().waitFor();
      expect(new URL(axePage.url()).searchParams.get('tab')).toBe('exports');
      await axePage.waitForLoadState('networkidle');
      expect(await axeViolations(axePage)).toEqual([]);
      await saveScreenshot(axePage, 'console-axe-exports');

      await axePage.getByRole('tab', { name: NAMES.tabs.integrity }).click();
      expect(new URL(axePage.url()).searchParams.get('tab')).toBe('integrity');
      await axePage.getByRole('button', { name: NAMES.integrity.verify }).click();
      await axePage.getByRole('status').filter({ hasText: /\w/ }).first().waitFor();
      await axePage.waitForLoadState('networkidle');
      expect(await axeViolations(axePage)).toEqual([]);
      await saveScreenshot(axePage, 'console-axe-integrity');
    } finally {
      await axeContext.close();
    }
  });

  it('the integrity tab says in plain words that the sealed events verify', async () => {
    await page.goto(stack.console('tab=integrity'));
    const verify = page.getByRole('button', { name: NAMES.integrity.verify });
    // docs/console.md: the verdict begins "Verified." when the integrity is OK; the counts
    // follow it ("Signed digests" N).
    const verdict = /^Verified\./;
    const digests = (text: string) =>
      Number(/Signed digests\s+([\d,]+)/.exec(text)?.[1]?.replace(/,/g, '') ?? '0');
    // The maintenance worker seals each minute once it has ended (events received before it
    // started stay unsealed): ask again until a digest covers the live events of this suite.
    let shown = '';
    await waitFor(
      async () => {
        await verify.click();
        const answer = page
          .getByRole('status')
          .filter({ hasText: /verified|verification failed|not configured/i })
          .or(page.getByRole('alert'));
        await answer.first().waitFor();
        shown = await answer.first().innerText();
        if (!verdict.test(shown)) throw new Error(`the integrity tab says: ${shown}`);
        return digests(shown) > 0;
      },
      { timeoutMs: 150_000, intervalMs: 2_000 },
    );
    expect(shown).toMatch(verdict);
    expect(shown).toMatch(/Modified\s+0\s+Missing\s+0\s+Unexpected\s+0/);
    expect(await control(page, NAMES.company).count()).toBe(0);
    await saveScreenshot(page, 'console-integrity');
  }, 180_000);
});
