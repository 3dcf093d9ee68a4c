import { normalizeEvent, type StoredEvent } from '@auditlog/events';
import { isComplete, missingFrom, repeated } from './stored-events';

function stored(): StoredEvent {
  const result = normalizeEvent(
    {
      id: 'evt-1',
      timestamp: '2026-11-23T10:00:00.000Z',
      company_id: 'acme',
      action: 'flow.updated',
      actor: { id: 'u1' },
      target: { type: 'flow', id: 'f1', ancestors: [{ type: 'project', id: 'p1' }] },
    },
    { keyId: 'k1', now: new Date('2026-11-23T10:00:01.000Z') },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.event;
}

describe('isComplete', () => {
  it('accepts a whole stored event under its own document id', () => {
    expect(isComplete('acme:evt-1', stored())).toBe(true);
  });

  it.each<[string, (event: StoredEvent) => unknown]>([
    ['a changed field', (event) => ({ ...event, action: 'flow.deleted' })],
    ['a missing field', ({ actor: _actor, ...event }) => event],
    ['a missing hash', ({ hash: _hash, ...event }) => event],
    ['missing ingest metadata', ({ ingest: _ingest, ...event }) => event],
    ['nothing at all', () => ({})],
  ])('refuses %s', (_, damage) => {
    expect(isComplete('acme:evt-1', damage(stored()) as StoredEvent)).toBe(false);
  });

  it('refuses a document stored under another id', () => {
    expect(isComplete('globex:evt-1', stored())).toBe(false);
  });
});

describe('set comparisons', () => {
  it('finds repeated and missing ids', () => {
    expect(repeated(['a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b']);
    expect(missingFrom(['a', 'b', 'c'], ['c', 'a'])).toEqual(['b']);
  });
});
