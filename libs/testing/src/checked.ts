/**
 * Checked element and key access for tests and benches: each throws an Error naming what was
 * missing instead of letting `undefined` surface later as an unrelated failure.
 */

/** The element at `index` (negative counts from the end, as `Array.at`). */
export function itemAt<T>(items: readonly T[], index: number, what = 'item'): T {
  const item = items.at(index);
  if (item === undefined) {
    throw new Error(`expected ${what} at index ${index}, but there are ${items.length}`);
  }
  return item;
}

export function firstOf<T>(items: readonly T[], what = 'item'): T {
  return itemAt(items, 0, what);
}

export function lastOf<T>(items: readonly T[], what = 'item'): T {
  return itemAt(items, -1, what);
}

/** The single element of `items`; throws when there are none or several. */
export function only<T>(items: readonly T[], what = 'item'): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, got ${items.length}`);
  return itemAt(items, 0, what);
}

/** Element `index` modulo the length: round-robin over a non-empty list. */
export function cycle<T>(items: readonly T[], index: number, what = 'item'): T {
  if (items.length === 0) throw new Error(`expected at least one ${what} to cycle through`);
  return itemAt(items, index % items.length, what);
}

/** The value under `key` of a keyed response body (an index's mapping, a role by name). */
export function entryOf<T>(record: Readonly<Record<string, T>>, key: string, what = 'entry'): T {
  const value = record[key];
  if (value === undefined) throw new Error(`expected ${what} "${key}"`);
  return value;
}
