import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig, type RetentionClass } from '@auditlog/config';
import {
  DAY_MS,
  granularityOf,
  IndexNames,
  OPENSEARCH_CLIENT,
  periodEnd,
  periodStart,
} from '@auditlog/opensearch';

/**
 * How long before its period an events index is created. One day: tomorrow's daily index
 * always, next month's monthly index on the last day of a month. ISM counts an index's age
 * from its creation, so the policies add this lead (ism-policy.ts).
 */
export const PRE_CREATION_LEAD_DAYS = 1;

export interface PreCreationResult {
  /** Indices this run created. */
  created: string[];
  /** Indices that were already there. */
  existing: string[];
}

/**
 * The events indices that should exist at `now`: the current period's of every class, and
 * the next period's of every class whose next period starts within the lead.
 */
export function indicesDue(
  names: IndexNames,
  classes: readonly RetentionClass[],
  now: Date,
): string[] {
  const due: string[] = [];
  for (const { name } of classes) {
    const granularity = granularityOf(name);
    const next = periodEnd(granularity, periodStart(granularity, now));
    due.push(names.eventsIndex(name, now));
    if (next.getTime() - now.getTime() <= PRE_CREATION_LEAD_DAYS * DAY_MS)
      due.push(names.eventsIndex(name, next));
  }
  return due;
}

/**
 * Creates the events indices of the current and the coming period ahead of the first event,
 * from the index template (settings, mappings, read alias). Otherwise the first write of a
 * period creates its index, and a read in the instant before that index's primary shard has
 * started fails with `all shards failed` (503) — every midnight UTC, for every class.
 * Creation waits for the primary, so a reported index is ready; an existing one is left
 * alone, so replicas and repeated runs only repeat harmless work.
 */
@Injectable()
export class IndexPreCreator {
  private readonly logger = new Logger(IndexPreCreator.name);

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly names: IndexNames,
  ) {}

  async ensure(now = new Date()): Promise<PreCreationResult> {
    const result: PreCreationResult = { created: [], existing: [] };
    for (const index of indicesDue(this.names, this.config.retention.classes, now)) {
      const { statusCode, body } = await this.client.indices.create({ index }, { ignore: [400] });
      if (statusCode !== 400) {
        result.created.push(index);
        this.logger.log({ event: 'retention.index_pre_created', index });
        continue;
      }
      const type = (body as { error?: { type?: string } }).error?.type;
      if (type !== 'resource_already_exists_exception')
        throw new Error(`cannot create ${index}: ${JSON.stringify(body)}`);
      result.existing.push(index);
    }
    return result;
  }
}
