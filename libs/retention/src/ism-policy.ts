import type { RetentionClass } from '@auditlog/config';
import { granularityOf, type IndexNames } from '@auditlog/opensearch';
import { PRE_CREATION_LEAD_DAYS } from './index-pre-creator';

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
 * from index creation, which for these indices is up to PRE_CREATION_LEAD_DAYS before the
 * start of their period (or later, for a late write); the period length and that lead are
 * added so that nothing is made read-only or deleted early.
 */
export function retentionPolicy(
  names: IndexNames,
  retention: RetentionClass,
  readOnlyAfterDays: number,
): IsmPolicyDocument {
  const offsetDays = PERIOD_DAYS[granularityOf(retention.name)] + PRE_CREATION_LEAD_DAYS;
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
              conditions: { min_index_age: `${offsetDays + readOnlyAfterDays}d` },
            },
          ],
        },
        {
          name: 'read_only',
          actions: [{ read_only: {} }],
          transitions: [
            {
              state_name: 'delete',
              conditions: { min_index_age: `${offsetDays + retention.days}d` },
            },
          ],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [names.classPattern(retention.name)], priority: 100 }],
    },
  };
}
