import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { CompanySettingsService } from './company-settings.service';
import { DAY_MS, granularityOf, IndexNames, periodStart } from '@auditlog/opensearch';
import { EventOutsideRetentionError, EventOutsideWritableWindowError } from './retention.errors';
import { oldestRetained } from './retention-rules';

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

  /** The indices a read over [from, to) touches (see IndexNames.readIndicesFor). */
  readIndicesFor(from: string, to: string): string[] {
    return this.names.readIndicesFor(from, to);
  }
}
