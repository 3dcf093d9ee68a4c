import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { EVENT_MAPPINGS } from './event-mappings';
import { IndexNames } from './index-names';
import { OPENSEARCH_CLIENT } from './opensearch.client';

/** A metadata index (one concrete index behind an alias) with its strict mapping. */
export interface OwnedIndex {
  index: string;
  alias: string;
  mappings: object;
}

/** Each feature lib names its index from the prefix; the core only creates what it is given. */
export type OwnedIndexDefinition = (names: IndexNames) => OwnedIndex;

export interface OpenSearchOptions {
  /**
   * The metadata indices this process writes, so it creates them at start. The others only
   * read them — a missing index reads as empty — and their least-privilege OpenSearch
   * accounts may not create them on a secured cluster. Each app's module says which.
   */
  owns?: readonly OwnedIndexDefinition[];
}

export const OPENSEARCH_OPTIONS = Symbol('OPENSEARCH_OPTIONS');

export interface SetupReport {
  template: string;
  /** The metadata indices this process ensured (those it owns). */
  indices: string[];
}

/**
 * Idempotent storage setup run at every start: the events index template (with the read
 * alias every events index joins) and the metadata indices this process owns, each behind
 * its alias. Safe when several replicas start at once: templates are create-or-replace with
 * the same content and indices are create-if-absent.
 */
@Injectable()
export class OpenSearchSetupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(OpenSearchSetupService.name);

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly names: IndexNames,
    @Inject(OPENSEARCH_OPTIONS) private readonly options: OpenSearchOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
  }

  async run(): Promise<SetupReport> {
    await this.ensureEventsTemplate();
    const indices: string[] = [];
    for (const definition of this.options.owns ?? []) {
      const owned = definition(this.names);
      await this.ensureIndex(owned);
      indices.push(owned.index);
    }
    return { template: this.names.eventsTemplate, indices };
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
    // Indices created before a field was added gain it: mappings only ever gain fields.
    // Only writers of events may (and need to) do this on a secured cluster.
    const { statusCode } = await this.client.indices.putMapping(
      {
        index: this.names.eventsPattern,
        allow_no_indices: true,
        body: EVENT_MAPPINGS,
      },
      { ignore: [403, 404] },
    );
    if (statusCode === 403) this.logger.debug('existing event indices left to the event writers');
    this.logger.log(`index template ${this.names.eventsTemplate} is in place`);
  }

  /**
   * Creates the index with its alias once; a concurrent creator wins harmlessly. On an
   * existing index, adds the fields introduced since (mappings only ever gain fields).
   */
  async ensureIndex({ index, alias, mappings }: OwnedIndex): Promise<void> {
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
      await this.client.indices.putMapping({ index, body: mappings });
    }
  }
}
