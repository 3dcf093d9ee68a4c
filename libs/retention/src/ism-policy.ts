import type { RetentionClass } from '@auditlog/config';
import { granularityOf, type IndexNames } from '@auditlog/opensearch';

/** The longest period one index covers, in days, per granularity. */
const PERIOD_DAYS = { day: 1, month: 31 } as const;

export interface IsmPolicyDocument {
  policy: {
    description: string;
    default_state: string;
    states: Array<{
      name: string;
      actions: Array<Record<string, unknown>>;
      transitions: Array<{ state_name: string; conditions: { min_index_age: string } }>;
    }>;
    ism_template: Array<{ index_patterns: string[]; priority: number }>;
  };
}

/**
 * The ISM policy of one retention class: hot while the index takes writes, read-only once
 * its period is closed, deleted once every event in it is past retention. ISM counts age
 * from index creation, which for these indices is the start of their period (or later, for
 * a late write); the period length is added so that nothing is deleted early.
 */
export function retentionPolicy(
  names: IndexNames,
  retention: RetentionClass,
  readOnlyAfterDays: number,
): IsmPolicyDocument {
  const periodDays = PERIOD_DAYS[granularityOf(retention.name)];
  return {
    policy: {
      description: `auditlog retention ${retention.name}: read-only after ${readOnlyAfterDays}d, deleted after ${retention.days}d`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [
            {
              state_name: 'read_only',
              conditions: { min_index_age: `${periodDays + readOnlyAfterDays}d` },
            },
          ],
        },
        {
          name: 'read_only',
          actions: [{ read_only: {} }],
          transitions: [
            {
              state_name: 'delete',
              conditions: { min_index_age: `${periodDays + retention.days}d` },
            },
          ],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [names.classPattern(retention.name)], priority: 100 }],
    },
  };
}
