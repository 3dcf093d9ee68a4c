import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  DAY_MS,
  EventIndexCatalog,
  granularityOf,
  type IndexGranularity,
  IndexNames,
} from '@auditlog/opensearch';
import { IsmService } from './ism.service';

export interface IndexStatus {
  index: string;
  period_start: string;
  period_end: string;
  docs: number;
  size_bytes: number;
  created_at: string;
  age_days: number;
  read_only: boolean;
  /** The ISM state, or `sweeper` where retention is enforced by the sweeper. */
  lifecycle: string;
  /** When the sweeper or ISM deletes it; null for a class no longer configured. */
  deletes_after: string | null;
}

export interface ClassStatus {
  retention_class: string;
  retention_days: number;
  granularity: IndexGranularity;
  policy: string | null;
  indices: IndexStatus[];
  docs: number;
  size_bytes: number;
}

export interface StorageStatus {
  retention_enforcement: 'ism' | 'sweeper';
  read_only_after_days: number;
  classes: ClassStatus[];
  /** Events indices of classes that are no longer configured (kept, never swept). */
  unmanaged: IndexStatus[];
}

/** What an installation admin sees of storage: indices per class, sizes, lifecycle. */
@Injectable()
export class StorageStatusService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly names: IndexNames,
    private readonly catalog: EventIndexCatalog,
    private readonly ism: IsmService,
  ) {}

  async status(now = new Date()): Promise<StorageStatus> {
    const ism = await this.ism.available();
    const [indices, states] = await Promise.all([this.catalog.list(), this.ism.states()]);
    const days = new Map(this.config.retention.classes.map((entry) => [entry.name, entry.days]));
    const toStatus = (index: (typeof indices)[number]): IndexStatus => ({
      index: index.index,
      period_start: index.start.toISOString(),
      period_end: index.end.toISOString(),
      docs: index.docs,
      size_bytes: index.sizeBytes,
      created_at: index.createdAt.toISOString(),
      age_days: Math.floor((now.getTime() - index.createdAt.getTime()) / DAY_MS),
      read_only: index.readOnly,
      lifecycle: ism ? (states.get(index.index) ?? 'unmanaged') : 'sweeper',
      deletes_after: days.has(index.retentionClass)
        ? new Date(
            index.end.getTime() + (days.get(index.retentionClass) ?? 0) * DAY_MS,
          ).toISOString()
        : null,
    });
    const classes = this.config.retention.classes.map((retention): ClassStatus => {
      const own = indices.filter((index) => index.retentionClass === retention.name).map(toStatus);
      return {
        retention_class: retention.name,
        retention_days: retention.days,
        granularity: granularityOf(retention.name),
        policy: ism ? this.names.retentionPolicy(retention.name) : null,
        indices: own,
        docs: own.reduce((sum, index) => sum + index.docs, 0),
        size_bytes: own.reduce((sum, index) => sum + index.size_bytes, 0),
      };
    });
    const unmanaged = indices.filter((index) => !days.has(index.retentionClass)).map(toStatus);
    return {
      retention_enforcement: ism ? 'ism' : 'sweeper',
      read_only_after_days: this.config.retention.readOnlyAfterDays,
      classes,
      unmanaged,
    };
  }
}
