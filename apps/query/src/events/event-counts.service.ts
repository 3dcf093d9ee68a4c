import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type { FilterSet } from '@auditlog/events';
import { EventSearch, type TimeWindow } from '@auditlog/opensearch';

/** The window "seen recently" counts cover: the catalog and the admin company list. */
export const RECENT_DAYS = 30;

export type RecentWindow = TimeWindow;

/**
 * "Seen recently" counts for the catalog and the admin company list, over the last
 * RECENT_DAYS days. The searches (and their tenant isolation) are EventSearch's.
 */
@Injectable()
export class EventCountsService {
  private readonly futureSkewMs: number;

  constructor(
    private readonly search: EventSearch,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.futureSkewMs = config.ingest.maxFutureSkewMs;
  }

  /** The last RECENT_DAYS days, up to the future skew ingest accepts. */
  recentWindow(now = new Date()): RecentWindow {
    return {
      from: new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString(),
      to: new Date(now.getTime() + this.futureSkewMs).toISOString(),
    };
  }

  /** One company's events per value of `field`, inside the fixed filter sets. */
  countBy(
    field: string,
    window: RecentWindow,
    companyId: string,
    restrictions: FilterSet[],
    size: number,
  ): Promise<Map<string, number>> {
    return this.search.countBy(field, companyId, { ...window, sort: 'desc', restrictions }, size);
  }

  /** Events per company across the installation (admins only). */
  perCompany(window: RecentWindow, size: number): Promise<Map<string, number>> {
    return this.search.countPerCompany(window, size);
  }
}
