import type { Locator, Page } from 'playwright-core';
import { NAMES } from './ui';

/** One labelled control, whatever element the console chose for it. */
export function control(page: Page, label: string): Locator {
  return page.getByLabel(label, { exact: true });
}

/**
 * Chooses the option of a `<select>` whose value or visible text is one of `candidates`
 * (the console may key an option by id, by `type:id` or show a name), waiting until the
 * option is there (pickers fill from facets).
 */
export async function pick(select: Locator, candidates: string[]): Promise<void> {
  await select.locator('option').first().waitFor({ state: 'attached' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const options = await select
      .locator('option')
      .evaluateAll((nodes) =>
        nodes.map((node) => ({ value: node.getAttribute('value') ?? '', label: node.textContent })),
      );
    const found =
      options.find((option) => candidates.includes(option.value)) ??
      options.find((option) =>
        candidates.some((candidate) => (option.label ?? '').trim() === candidate),
      );
    if (found) {
      await select.selectOption(found.value);
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`no option among ${JSON.stringify(options)} matches ${candidates.join('|')}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Fills a text box, or picks from a select, by its label. */
export async function setControl(page: Page, label: string, value: string): Promise<void> {
  const element = control(page, label);
  const tag = await element.evaluate((node) => node.tagName);
  if (tag === 'SELECT') await pick(element, [value]);
  else await element.fill(value);
}

/** Fills a date-time control with an instant, in the format its input type expects (UTC). */
export async function setInstant(page: Page, label: string, iso: string): Promise<void> {
  const element = control(page, label);
  const type = await element.getAttribute('type');
  await element.fill(type === 'datetime-local' ? iso.slice(0, 16) : iso);
}

export async function chooseRange(page: Page, value: string): Promise<void> {
  await pick(control(page, NAMES.filters.range), [value]);
}
