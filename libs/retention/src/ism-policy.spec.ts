import { IndexNames } from '@auditlog/opensearch';
import { retentionPolicy } from './ism-policy';
import { samePolicy } from './ism.service';

describe('retentionPolicy', () => {
  const names = new IndexNames('auditlog');

  // Ages count from creation, which is up to a day before the period (pre-creation): a
  // daily index of 30d is read-only 1 + 1 + 2 days and deleted 1 + 1 + 30 days after it.
  it('moves a daily index hot -> read_only -> delete, attached to its class by template', () => {
    const { policy } = retentionPolicy(names, { name: '30d', days: 30 }, 2);
    expect(policy.default_state).toBe('hot');
    expect(policy.states.map((state) => state.name)).toEqual(['hot', 'read_only', 'delete']);
    expect(policy.states[0]).toEqual({
      name: 'hot',
      actions: [],
      transitions: [{ state_name: 'read_only', conditions: { min_index_age: '4d' } }],
    });
    expect(policy.states[1]).toEqual({
      name: 'read_only',
      actions: [{ read_only: {} }],
      transitions: [{ state_name: 'delete', conditions: { min_index_age: '32d' } }],
    });
    expect(policy.states[2]).toEqual({
      name: 'delete',
      actions: [{ delete: {} }],
      transitions: [],
    });
    expect(policy.ism_template).toEqual([
      { index_patterns: ['auditlog-events-30d-*'], priority: 100 },
    ]);
  });

  it('adds a whole month and the lead to monthly classes so nothing is deleted early', () => {
    const { policy } = retentionPolicy(names, { name: '1y', days: 365 }, 2);
    expect(policy.states[0]?.transitions[0]?.conditions.min_index_age).toBe('34d');
    expect(policy.states[1]?.transitions[0]?.conditions.min_index_age).toBe('397d');
    expect(policy.ism_template[0]?.index_patterns).toEqual(['auditlog-events-1y-*']);
  });

  it('compares policies ignoring fields ISM adds', () => {
    const wanted = retentionPolicy(names, { name: '7d', days: 7 }, 2).policy;
    const stored = {
      ...wanted,
      policy_id: 'auditlog-retention-7d',
      last_updated_time: 1,
      states: wanted.states.map((state) => ({
        ...state,
        actions: state.actions.map((action) => ({ ...action, retry: { count: 3 } })),
      })),
    };
    expect(samePolicy(stored, wanted)).toBe(true);
    expect(samePolicy(retentionPolicy(names, { name: '7d', days: 7 }, 3).policy, wanted)).toBe(
      false,
    );
  });
});
