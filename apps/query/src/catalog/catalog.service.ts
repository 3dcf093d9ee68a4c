import { Injectable } from '@nestjs/common';
import type { FilterSet, Operation } from '@auditlog/events';
import { ActionCatalogRepository, MAX_CATALOG_ACTIONS } from '@auditlog/catalog';
import { EventCountsService } from '../events/event-counts.service';

/** One row of `GET /v1/catalog`. Unregistered actions have null texts. */
export interface CatalogAction {
  action: string;
  label: string | null;
  description: string | null;
  category: string;
  operation: Operation | null;
  template: string | null;
  registered: boolean;
  /** Events of the caller's company with this action in the last 30 days. */
  count: number;
}

export interface Catalog {
  actions: CatalogAction[];
}

/**
 * The console's vocabulary: every registered action (installation-wide) plus the actions
 * the caller's company used in the last 30 days, with that company's counts. Counts go
 * through EventSearch (the tenant term first, fixed filter sets ANDed whole), so
 * neither another company's events nor events outside a viewer's fixed filters are counted.
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly catalog: ActionCatalogRepository,
    private readonly counts: EventCountsService,
  ) {}

  async forCompany(
    companyId: string,
    restrictions: FilterSet[] = [],
    now = new Date(),
  ): Promise<Catalog> {
    const window = this.counts.recentWindow(now);
    const [registered, seen] = await Promise.all([
      this.catalog.all(),
      this.counts.countBy('action', window, companyId, restrictions, MAX_CATALOG_ACTIONS),
    ]);
    const rows = new Map<string, CatalogAction>();
    for (const { updated_at: _at, updated_by: _by, ...entry } of registered) {
      rows.set(entry.action, { ...entry, registered: true, count: seen.get(entry.action) ?? 0 });
    }
    for (const [action, count] of seen) {
      if (rows.has(action)) continue;
      const [category = action] = action.split('.');
      rows.set(action, {
        action,
        label: null,
        description: null,
        category,
        operation: null,
        template: null,
        registered: false,
        count,
      });
    }
    return {
      actions: [...rows.values()].sort(
        (a, b) => b.count - a.count || (a.action < b.action ? -1 : a.action > b.action ? 1 : 0),
      ),
    };
  }
}
