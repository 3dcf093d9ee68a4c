import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Launches headless Chromium through playwright-core. `launch` gives every context a fresh,
 * throwaway profile, so a new context per test starts with nothing stored.
 */
export async function launchChromium(): Promise<Browser> {
  // Loaded here so the suites that never drive a browser do not pay for playwright-core.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** A desktop-sized context in UTC, so the console's default time zone matches the seed's. */
export function newConsoleContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-US',
    acceptDownloads: true,
    ...options,
  });
}

/** Where the suites keep their screenshots: `CONSOLE_SCREENSHOT_DIR`, else a temp dir. */
export function screenshotDir(): string {
  const configured = process.env.CONSOLE_SCREENSHOT_DIR;
  if (configured) {
    mkdirSync(configured, { recursive: true });
    return configured;
  }
  const shared = join(tmpdir(), 'auditlog-console-screenshots');
  mkdirSync(shared, { recursive: true });
  return shared;
}

/** Saves a full-page PNG named after the test; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const file = join(screenshotDir(), `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A directory of its own for files the browser downloads. */
export function downloadDir(): string {
  return mkdtempSync(join(tmpdir(), 'auditlog-console-downloads-'));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/**
 * Runs axe-core in the page and answers its serious and critical violations. The page's
 * context must have been created with `bypassCSP: true`: the console's CSP (`script-src
 * 'self'`) rightly refuses the injected checker otherwise.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate<{ violations: AxeViolation[] }>(
    'axe.run(document, { resultTypes: ["violations"] })',
  );
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target,
        failureSummary: node.failureSummary,
      })),
    }));
}

/** The ids of the event rows the table shows, in their order. */
export function tableRowIds(page: Page): Promise<string[]> {
  return page
    .locator('tr[data-event-id]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id') ?? ''));
}
