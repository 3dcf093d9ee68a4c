import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig, type AppName } from '@auditlog/config';
import { CATALOG_MAPPINGS } from './catalog/catalog-mappings';
import { COMPANY_MAPPINGS } from './company-settings.service';
import { EVENT_MAPPINGS } from './event-mappings';
import { EXPORT_MAPPINGS } from './export-mappings';
import { IndexNames } from './index-names';
import { IsmService } from './ism.service';
import { OPENSEARCH_CLIENT } from './opensearch.client';

/**
 * Each metadata index is created by the processes that write it (and the setup job). The
 * others only read it — a missing settings index reads as "default class" — and their
 * least-privilege OpenSearch accounts may not create it on a secured cluster.
 */
const COMPANY_SETTINGS_OWNERS: ReadonlySet<AppName> = new Set(['query', 'setup']);
const EXPORT_HISTORY_OWNERS: ReadonlySet<AppName> = new Set(['export', 'export-worker', 'setup']);
/** Producers register actions through the ingest app; the query app only reads them. */
const CATALOG_OWNERS: ReadonlySet<AppName> = new Set(['ingest', 'setup']);

export interface SetupReport {
  template: string;
  /** The settings index this process ensured, if it owns it. */
  companiesIndex?: string;
  /** The export history index this process ensured, if it owns it. */
  exportsIndex?: string;
  /** The action catalog index this process ensured, if it owns it. */
  catalogIndex?: string;
  ism: boolean;
  policies: string[];
}

/**
 * Idempotent storage setup run at every start: the events index template (with the read
 * alias every events index joins), the company settings index behind its alias (by the
 * processes that write it), and the
 * ISM retention policies where the plugin exists. Safe when several replicas start at once:
 * templates are create-or-replace with the same content, the settings index is
 * create-if-absent, and policies are written with optimistic concurrency.
 */
@Injectable()
export class StorageSetupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StorageSetupService.name);

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly names: IndexNames,
    private readonly ism: IsmService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
  }

  async run(): Promise<SetupReport> {
    await this.ensureEventsTemplate();
    const ownsSettings = COMPANY_SETTINGS_OWNERS.has(this.config.app);
    if (ownsSettings) await this.ensureCompaniesIndex();
    const ownsExports = EXPORT_HISTORY_OWNERS.has(this.config.app);
    if (ownsExports) await this.ensureExportsIndex();
    const ownsCatalog = CATALOG_OWNERS.has(this.config.app);
    if (ownsCatalog) await this.ensureCatalogIndex();
    const ism = await this.ism.available();
    if (ism) await this.ism.ensurePolicies();
    return {
      template: this.names.eventsTemplate,
      companiesIndex: ownsSettings ? this.names.companiesIndex : undefined,
      exportsIndex: ownsExports ? this.names.exportsIndex : undefined,
      catalogIndex: ownsCatalog ? this.names.catalogIndex : undefined,
      ism,
      policies: ism ? this.ism.policies().map((policy) => policy.id) : [],
    };
  }

  async ensureEventsTemplate(): Promise<void> {
    await this.client.indices.putIndexTemplate({
      name: this.names.eventsTemplate,
      body: {
        index_patterns: [this.names.eventsPattern],
        priority: 100,
        template: {
          settings: {
            number_of_shards: this.config.opensearch.shards,
            number_of_replicas: this.config.opensearch.replicas,
            refresh_interval: '1s',
            // An acknowledged write must survive a crash: fsync the translog per request.
            'translog.durability': 'request',
            'mapping.total_fields.limit': 200,
          },
          mappings: EVENT_MAPPINGS as unknown as Record<string, unknown>,
          aliases: { [this.names.readAlias]: {} },
        },
        _meta: { schema_version: 1 },
      },
    });
    this.logger.log(`index template ${this.names.eventsTemplate} is in place`);
  }

  /** Creates the settings index with its alias once; a concurrent creator wins harmlessly. */
  async ensureCompaniesIndex(): Promise<void> {
    await this.ensureIndexWithAlias(
      this.names.companiesIndex,
      this.names.companiesAlias,
      COMPANY_MAPPINGS,
    );
  }

  /** The export history (written by the export API and its worker), created the same way. */
  async ensureExportsIndex(): Promise<void> {
    await this.ensureIndexWithAlias(
      this.names.exportsIndex,
      this.names.exportsAlias,
      EXPORT_MAPPINGS,
    );
  }

  /** The action catalog (written by the ingest app), created the same way. */
  async ensureCatalogIndex(): Promise<void> {
    await this.ensureIndexWithAlias(
      this.names.catalogIndex,
      this.names.catalogAlias,
      CATALOG_MAPPINGS,
    );
  }

  private async ensureIndexWithAlias(
    index: string,
    alias: string,
    mappings: object,
  ): Promise<void> {
    const { statusCode, body } = await this.client.indices.create(
      {
        index,
        body: {
          settings: {
            number_of_shards: 1,
            number_of_replicas: this.config.opensearch.replicas,
            'translog.durability': 'request',
          },
          mappings,
          aliases: { [alias]: {} },
        },
      },
      { ignore: [400] },
    );
    if (statusCode === 400) {
      const type = (body as { error?: { type?: string } }).error?.type;
      if (type !== 'resource_already_exists_exception') {
        throw new Error(`cannot create ${index}: ${JSON.stringify(body)}`);
      }
      await this.client.indices.putAlias({ index, name: alias });
      // Fields added since the index was created (mappings only ever gain fields).
      await this.client.indices.putMapping({ index, body: mappings });
    }
  }
}
