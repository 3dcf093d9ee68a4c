import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Client, errors } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig, type RetentionClass } from '@auditlog/config';
import {
  IndexNames,
  OPENSEARCH_CLIENT,
  type OwnedIndexDefinition,
  StorageUnavailableError,
} from '@auditlog/opensearch';
import { UnknownRetentionClassError } from './retention.errors';

export interface CompanySettings {
  company_id: string;
  retention_class: string;
  retention_days: number;
  /** False while the company uses the configured default class. */
  explicit: boolean;
  updated_at: string | null;
  updated_by: string | null;
}

interface StoredCompany {
  company_id: string;
  retention_class: string;
  updated_at: string;
  updated_by: string;
}

export const COMPANY_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    company_id: { type: 'keyword' },
    retention_class: { type: 'keyword' },
    updated_at: { type: 'date' },
    updated_by: { type: 'keyword' },
  },
} as const;

/** The company settings index, created by the query app (which writes it) and the setup job. */
export const COMPANIES_INDEX: OwnedIndexDefinition = (names) => ({
  index: names.companiesIndex,
  alias: names.companiesAlias,
  mappings: COMPANY_MAPPINGS,
});

interface CacheEntry {
  settings: Promise<CompanySettings>;
  expiresAt: number;
}

/**
 * Per-company settings (today: the retention class), stored durably in the companies
 * index. Lookups on the write path are cached for COMPANY_SETTINGS_CACHE_SECONDS; a change
 * is visible at once in the process that made it and within that window everywhere else.
 */
@Injectable()
export class CompanySettingsService {
  private readonly logger = new Logger(CompanySettingsService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly classes: Map<string, RetentionClass>;
  private readonly ttlMs: number;
  private readonly defaultClass: RetentionClass;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.classes = new Map(config.retention.classes.map((entry) => [entry.name, entry]));
    this.ttlMs = config.retention.companyCacheSeconds * 1000;
    // loadConfig guarantees the default class is one of the configured classes.
    this.defaultClass = config.retention.classes.find(
      (entry) => entry.name === config.retention.defaultClass,
    ) as RetentionClass;
  }

  /**
   * Settings for the write path, from the cache while it is fresh. Concurrent lookups of
   * one company (a batch) share a single request. OpenSearch failing the lookup (down,
   * shards still recovering after a restart) is a StorageUnavailableError, so that the
   * write path answers "retry later" rather than an internal error.
   */
  cached(companyId: string): Promise<CompanySettings> {
    const hit = this.cache.get(companyId);
    if (hit && hit.expiresAt > Date.now()) return hit.settings;
    const settings = this.get(companyId);
    if (this.ttlMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      const entry = { settings, expiresAt: Date.now() + this.ttlMs };
      this.cache.set(companyId, entry);
      settings.catch(() => {
        if (this.cache.get(companyId) === entry) this.cache.delete(companyId);
      });
    }
    return settings;
  }

  /** Settings straight from OpenSearch (realtime GET, no refresh needed). */
  async get(companyId: string): Promise<CompanySettings> {
    const { body, statusCode } = await this.client
      .get({ index: this.names.companiesAlias, id: companyId }, { ignore: [404] })
      .catch((error: unknown) => {
        // OpenSearch down or its shards still recovering: callers answer "retry later"
        // rather than guess a retention class. Anything else is a bug and stays visible.
        throw error instanceof errors.OpenSearchClientError
          ? new StorageUnavailableError(error)
          : error;
      });
    const stored = statusCode === 404 || !body.found ? undefined : (body._source as StoredCompany);
    return this.resolve(companyId, stored);
  }

  /** Every company with explicit settings (at most 10,000), sorted by company id. */
  async listExplicit(): Promise<CompanySettings[]> {
    const { body } = await this.client.search({
      index: this.names.companiesAlias,
      ignore_unavailable: true,
      allow_no_indices: true,
      body: { size: 10_000, query: { match_all: {} }, sort: [{ company_id: 'asc' }] },
    });
    return (body.hits.hits as Array<{ _source: StoredCompany }>).map((hit) =>
      this.resolve(hit._source.company_id, hit._source),
    );
  }

  /** The settings of a company without explicit ones: the configured default class. */
  defaultsFor(companyId: string): CompanySettings {
    return this.resolve(companyId, undefined);
  }

  async setRetentionClass(
    companyId: string,
    retentionClass: string,
    updatedBy: string,
  ): Promise<CompanySettings> {
    if (!this.classes.has(retentionClass)) {
      throw new UnknownRetentionClassError(retentionClass, [...this.classes.keys()]);
    }
    const stored: StoredCompany = {
      company_id: companyId,
      retention_class: retentionClass,
      updated_at: new Date().toISOString(),
      updated_by: updatedBy,
    };
    await this.client.index({
      index: this.names.companiesAlias,
      id: companyId,
      body: stored,
      refresh: 'wait_for',
    });
    this.cache.delete(companyId);
    return this.resolve(companyId, stored);
  }

  private resolve(companyId: string, stored: StoredCompany | undefined): CompanySettings {
    const configured = stored ? this.classes.get(stored.retention_class) : undefined;
    if (stored && !configured) {
      this.logger.warn(
        `company "${companyId}" has retention class "${stored.retention_class}", which is no longer configured; using the default "${this.config.retention.defaultClass}"`,
      );
    }
    const effective = configured ?? this.defaultClass;
    return {
      company_id: companyId,
      retention_class: effective.name,
      retention_days: effective.days,
      explicit: configured !== undefined,
      updated_at: stored?.updated_at ?? null,
      updated_by: stored?.updated_by ?? null,
    };
  }
}
