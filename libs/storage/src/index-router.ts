import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { CompanySettingsService } from './company-settings.service';
import { IndexNames } from './index-names';
import { daysBetween, DAY_MS, granularityOf, monthsBetween, periodStart } from './index-period';
import { EventOutsideRetentionError, EventOutsideWritableWindowError } from './retention.errors';
import { oldestRetained } from './retention-rules';

/** Up to this many days a read names each day; beyond, whole months; beyond that, all. */
const MAX_DAY_PATTERNS = 14;
const MAX_MONTH_PATTERNS = 25;

/**
 * Decides where events are written and which indices a read must touch. Writers and
 * readers go through here so that retention routing has one home.
 */
@Injectable()
export class IndexRouter {
  constructor(
    private readonly names: IndexNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly companies: CompanySettingsService,
  ) {}

  /**
   * The index an event of this company and time is written to: the index of the company's
   * retention class and the event's period. Rejects with EventOutsideRetentionError when
   * the timestamp is already past the company's retention, and with its subclass
   * EventOutsideWritableWindowError when that period's index is already read-only.
   */
  async writeIndexFor(companyId: string, timestamp: string, now = new Date()): Promise<string> {
    const settings = await this.companies.cached(companyId);
    const at = new Date(timestamp);
    const oldest = oldestRetained(settings.retention_days, now);
    if (at < oldest) {
      throw new EventOutsideRetentionError(
        companyId,
        settings.retention_class,
        oldest.toISOString(),
      );
    }
    const granularity = granularityOf(settings.retention_class);
    const readOnlyAfterMs = this.config.retention.readOnlyAfterDays * DAY_MS;
    const oldestWritable = periodStart(granularity, new Date(now.getTime() - readOnlyAfterMs));
    if (at < oldestWritable) {
      throw new EventOutsideWritableWindowError(
        companyId,
        settings.retention_class,
        oldestWritable.toISOString(),
      );
    }
    return this.names.eventsIndex(settings.retention_class, at);
  }

  /**
   * Index patterns a read over [from, to) must touch, across all retention classes (a
   * company that changed class keeps finding its older events). Short ranges name each day
   * and month, longer ones whole months, very long ones every events index; the list stays
   * short enough for a request line.
   */
  readIndicesFor(from: string, to: string): string[] {
    const start = new Date(from);
    const end = new Date(to);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()))
      return [this.names.eventsPattern];
    const last = end > start ? end : new Date(start.getTime() + 1);
    const days = daysBetween(start, last);
    const months = monthsBetween(start, last);
    if (days.length <= MAX_DAY_PATTERNS) {
      return [
        ...days.map((day) => this.names.dayPattern(day)),
        ...months.map((month) => this.names.monthPattern(month)),
      ];
    }
    if (months.length <= MAX_MONTH_PATTERNS) {
      return months.map((month) => this.names.wholeMonthPattern(month));
    }
    return [this.names.eventsPattern];
  }
}
