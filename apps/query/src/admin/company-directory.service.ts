import { Injectable } from '@nestjs/common';
import { CompanySettingsService } from '@auditlog/retention';
import { EventCountsService } from '../events/event-counts.service';

/** The most companies the list aggregates over events. */
export const MAX_LISTED_COMPANIES = 10_000;

export interface CompanyListEntry {
  company_id: string;
  retention_class: string;
  events_last_30d: number;
}

/**
 * The installation's companies for the console's company picker (admins only): those with
 * events in the last 30 days plus those with explicit settings.
 */
@Injectable()
export class CompanyDirectoryService {
  constructor(
    private readonly settings: CompanySettingsService,
    private readonly counts: EventCountsService,
  ) {}

  async list(now = new Date()): Promise<{ companies: CompanyListEntry[] }> {
    const window = this.counts.recentWindow(now);
    const [explicit, seen] = await Promise.all([
      this.settings.listExplicit(),
      this.counts.perCompany(window, MAX_LISTED_COMPANIES),
    ]);
    const classes = new Map(explicit.map((entry) => [entry.company_id, entry.retention_class]));
    const ids = new Set([...classes.keys(), ...seen.keys()]);
    const companies = [...ids]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((companyId) => ({
        company_id: companyId,
        retention_class:
          classes.get(companyId) ?? this.settings.defaultsFor(companyId).retention_class,
        events_last_30d: seen.get(companyId) ?? 0,
      }));
    return { companies };
  }
}
