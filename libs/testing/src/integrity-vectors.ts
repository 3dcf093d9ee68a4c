import { eventHash } from '@auditlog/events';

/**
 * The worked example of docs/integrity.md: RFC 8032 test key 1 and two events of one
 * window followed by an empty window. Kept in one place so docs and tests agree; a public
 * test key, never to be configured.
 */
export const EXAMPLE_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
`;
export const EXAMPLE_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----
`;
export const EXAMPLE_KEY_ID = 'example-2026';

const base = {
  company_id: 'acme',
  category: 'flow',
  actor: { id: 'alice', type: 'user' as const },
  outcome: 'success' as const,
  schema_version: 1,
};

function sealed<T extends { id: string }>(event: T): T & { hash: string } {
  return { ...event, hash: eventHash(event as never) };
}

const FIRST_EVENT = sealed({
  ...base,
  id: 'evt-1',
  action: 'flow.created',
  timestamp: '2026-01-01T00:00:01.000Z',
  received_at: '2026-01-01T00:00:01.000Z',
});
const SECOND_EVENT = sealed({
  ...base,
  id: 'evt-2',
  action: 'flow.deleted',
  timestamp: '2026-01-01T00:10:00.000Z',
  received_at: '2026-01-01T00:10:00.000Z',
});
/** A tuple, so tests may take `EXAMPLE_EVENTS[0]` and `[1]` without a check. */
export const EXAMPLE_EVENTS: [typeof FIRST_EVENT, typeof SECOND_EVENT] = [
  FIRST_EVENT,
  SECOND_EVENT,
];
