/** Size limits of one event (SPEC §3 plus the documented choices in docs/ingest.md). */
export const EVENT_LIMITS = {
  /** The whole event, serialised as received. */
  eventBytes: 128 * 1024,
  detailsBytes: 64 * 1024,
  /** Levels of nesting in the event; the event object itself is level 1. */
  depth: 32,
  reason: 1024,
  description: 2048,
  changes: 200,
  contextKeys: 32,
  ancestors: 32,
  /** Identifiers, names and other keyword-indexed strings. */
  shortText: 1024,
} as const;

/** Keys that could alter an object's prototype in a careless consumer. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);
