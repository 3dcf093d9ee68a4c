import { type AuditEvent, generateEventId, SCHEMA_VERSION } from '@auditlog/events';

/** A complete event as a destination is handed it; every optional field set. */
export function sampleAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  const at = new Date('2026-03-01T12:00:00.123Z');
  return {
    id: generateEventId(at.getTime()),
    timestamp: at.toISOString(),
    received_at: new Date(at.getTime() + 250).toISOString(),
    company_id: 'acme',
    action: 'user.login',
    category: 'authentication',
    operation: 'login',
    actor: { id: 'u-1', type: 'user', name: 'Alice Ex', email: 'alice@example.com' },
    target: { type: 'session', id: 's-1', ancestors: [{ type: 'org', id: 'o-1' }] },
    outcome: 'success',
    source: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11)', request_id: 'r-1' },
    context: { region: 'eu' },
    description: 'Alice signed in',
    changes: [{ field: 'last_login', before: null, after: '2026-03-01' }],
    details: { mfa: true, attempts: 1 },
    schema_version: SCHEMA_VERSION,
    hash: 'f'.repeat(64),
    ...overrides,
  };
}

/** `count` events of one company, one millisecond apart, in order. */
export function sampleAuditEvents(
  count: number,
  overrides: Partial<AuditEvent> = {},
): AuditEvent[] {
  const start = Date.parse('2026-03-01T12:00:00.000Z');
  return Array.from({ length: count }, (_, n) => {
    const at = start + n;
    return sampleAuditEvent({
      id: generateEventId(at),
      timestamp: new Date(at).toISOString(),
      received_at: new Date(at + 5).toISOString(),
      description: `event ${n}`,
      ...overrides,
    });
  });
}
