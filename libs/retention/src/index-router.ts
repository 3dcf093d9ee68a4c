import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type CompanySettings, CompanySettingsService } from './company-settings.service';
import { IndexNames } from '@auditlog/opensearch';
import { WriteRoutes } from './write-routes';

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
    return (await this.writeRoutes([companyId], now)).indexFor(companyId, Date.parse(timestamp));
  }

  /** Routes for the events of these companies, each company's settings looked up once. */
  async writeRoutes(companyIds: Iterable<string>, now = new Date()): Promise<WriteRoutes> {
    const ids = [...new Set(companyIds)];
    const settings = await Promise.all(ids.map((companyId) => this.companies.cached(companyId)));
    return new WriteRoutes(
      this.names,
      new Map(ids.map((companyId, i) => [companyId, settings[i] as CompanySettings])),
      now,
      this.config.retention.readOnlyAfterDays,
    );
  }

  /** The indices a read over [from, to) touches (see IndexNames.readIndicesFor). */
  readIndicesFor(from: string, to: string): string[] {
    return this.names.readIndicesFor(from, to);
  }
}
