import { DAY_MS, granularityOf, type IndexNames, periodStart } from '@auditlog/opensearch';
import type { CompanySettings } from './company-settings.service';
import { EventOutsideRetentionError, EventOutsideWritableWindowError } from './retention.errors';
import { oldestRetained } from './retention-rules';

/** One company's write bounds at the moment the routes were made. */
interface CompanyRoute {
  settings: CompanySettings;
  oldestRetainedMs: number;
  oldestWritableMs: number;
  /** Index names by UTC day number: one date computation per day, not per event. */
  indexByDay: Map<number, string>;
}

/**
 * Where one request's events are written: each company's settings looked up once and its
 * retention bounds computed once, so routing an event is arithmetic and a map lookup
 * (docs/adr/0166-ingest-per-event-copies.md).
 */
export class WriteRoutes {
  private readonly routes = new Map<string, CompanyRoute>();

  constructor(
    private readonly names: IndexNames,
    settings: ReadonlyMap<string, CompanySettings>,
    now: Date,
    readOnlyAfterDays: number,
  ) {
    for (const [companyId, company] of settings) {
      const oldest = oldestRetained(company.retention_days, now);
      const oldestWritable = periodStart(
        granularityOf(company.retention_class),
        new Date(now.getTime() - readOnlyAfterDays * DAY_MS),
      );
      this.routes.set(companyId, {
        settings: company,
        oldestRetainedMs: oldest.getTime(),
        oldestWritableMs: oldestWritable.getTime(),
        indexByDay: new Map(),
      });
    }
  }

  /**
   * The index of the company's retention class and the event's period. Throws
   * EventOutsideRetentionError when the time is already past the company's retention, and
   * its subclass EventOutsideWritableWindowError when that period's index is read-only.
   */
  indexFor(companyId: string, at: number): string {
    const route = this.routes.get(companyId);
    if (route === undefined) throw new Error(`no write route was made for company "${companyId}"`);
    const { settings } = route;
    if (at < route.oldestRetainedMs) {
      throw new EventOutsideRetentionError(
        companyId,
        settings.retention_class,
        new Date(route.oldestRetainedMs).toISOString(),
      );
    }
    if (at < route.oldestWritableMs) {
      throw new EventOutsideWritableWindowError(
        companyId,
        settings.retention_class,
        new Date(route.oldestWritableMs).toISOString(),
      );
    }
    const day = Math.floor(at / DAY_MS);
    let index = route.indexByDay.get(day);
    if (index === undefined) {
      index = this.names.eventsIndex(settings.retention_class, new Date(at));
      route.indexByDay.set(day, index);
    }
    return index;
  }
}
