/**
 * How the console suites reach the page, by the accessible names the console documents for
 * tests and integrators (docs/console.md). Every name used by the specs is here, once.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { tableRowIds } from '@auditlog/testing';
import { isSelfAudit, type SeedInput } from './seed';

export const NAMES = {
  signIn: {
    token: 'Company-owner or admin token (JWT)',
    submit: 'Sign in',
  },
  signOut: 'Sign out',
  tabs: { events: 'Events', exports: 'Exports', integrity: 'Integrity' },
  filters: {
    range: 'Time range',
    from: 'From',
    to: 'To',
    action: 'Action',
    category: 'Category',
    operation: 'Operation',
    actorType: 'Actor type',
    user: 'User (id or email)',
    targetType: 'Target type',
    targetId: 'Target id',
    project: 'Project',
    environment: 'Environment',
    service: 'Service',
    outcome: 'Outcome',
    sourceTool: 'Source tool',
    ip: 'IP or CIDR',
    taskId: 'Task id',
    agentId: 'Agent id',
    flowId: 'Flow id',
    transactionId: 'Transaction id',
    q: 'Search',
    apply: 'Apply',
    reset: 'Reset',
  },
  table: 'Events',
  detail: 'Event detail',
  changes: 'Changes',
  live: 'Live',
  export: {
    open: 'Export',
    dialog: 'Export events',
    name: 'Name',
    format: 'Format',
    submit: 'Start export',
    history: 'Export history',
    download: 'Download',
  },
  integrity: { verify: 'Verify' },
  company: 'Company',
  /** The histogram is an image whose name starts with this and gives the total. */
  histogram: 'Events over time',
  facets: 'Facets',
  empty: 'No events match these filters in this time range.',
} as const;

/**
 * Jest has no `expect.poll`: reads `probe` until it equals `expected` or the time is up, then
 * asserts on the last value read (so a failure shows the diff of what the page last showed).
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  expected: T,
  { timeout = 10_000, interval = 100 } = {},
): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = await probe();
  while (!isDeepStrictEqual(last, expected) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, interval));
    last = await probe();
  }
  expect(last).toEqual(expected);
}

/** Row ids of the table, without the API's own `audit_log.*` read records. */
export async function seedRowIds(page: Page): Promise<string[]> {
  return (await tableRowIds(page)).filter((id) => !isSelfAudit(id));
}

/** Waits until the table shows exactly these rows (in this order). */
export async function expectRows(
  page: Page,
  expected: string[],
  options: { ignoreSelfAudit?: boolean; timeout?: number } = {},
): Promise<void> {
  const read = options.ignoreSelfAudit ? seedRowIds : tableRowIds;
  await eventually(() => read(page), expected, { timeout: options.timeout ?? 10_000 });
}

/** The seed ids, newest first (the table's default order). */
export function newestFirst(seeded: SeedInput[], ids: string[]): string[] {
  const at = new Map(seeded.map((event) => [event.id, Date.parse(event.timestamp)]));
  return [...ids].sort((left, right) => (at.get(right) ?? 0) - (at.get(left) ?? 0));
}

/** Opens `url` (any console link), signs in at the prompt with a JWT, waits until signed in. */
export async function signInWithJwt(page: Page, url: string, jwt: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel(NAMES.signIn.token).fill(jwt);
  await page.getByRole('button', { name: NAMES.signIn.submit }).click();
  await page.getByRole('button', { name: NAMES.signOut }).waitFor();
}

export function eventsTable(page: Page): Locator {
  return page.getByRole('table', { name: NAMES.table });
}

export function detailPanel(page: Page): Locator {
  return page.getByRole('region', { name: NAMES.detail });
}

/** The rows of the detail panel's "Changes" table as [field, before, after] texts. */
export async function changeRows(page: Page): Promise<string[][]> {
  const table = detailPanel(page).getByRole('table', { name: NAMES.changes });
  const rows = await table.locator('tbody tr').all();
  return Promise.all(
    rows.map(async (row) =>
      (await row.locator('th, td').allInnerTexts()).map((text) => text.trim()),
    ),
  );
}

/** The query string of the page's URL as a list of [name, value]. */
export function urlParams(page: Page): Array<[string, string]> {
  return [...new URL(page.url()).searchParams.entries()];
}

/** Waits for the table's empty state (the search answered with nothing), then no rows. */
export async function expectNoRows(page: Page): Promise<void> {
  await page.getByText(NAMES.empty).waitFor();
  expect(await tableRowIds(page)).toEqual([]);
}

/** The total the histogram announces (its accessible name), e.g. 3 for "…: 3 events from…". */
export async function histogramTotal(page: Page): Promise<number> {
  const chart = page.getByRole('img', { name: new RegExp(`^${NAMES.histogram}: `) });
  const label = (await chart.getAttribute('aria-label')) ?? '';
  const [, total] = /: ([\d,]+) events? from/.exec(label) ?? [];
  if (total === undefined) throw new Error(`no total in the histogram's name: ${label}`);
  return Number(total.replace(/,/g, ''));
}

export async function applyFilters(page: Page): Promise<void> {
  await page.getByRole('button', { name: NAMES.filters.apply }).click();
}
