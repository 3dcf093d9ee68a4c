import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import type { ActionCatalogEntry } from '@auditlog/events';
import { IndexNames, OPENSEARCH_CLIENT, type OwnedIndexDefinition } from '@auditlog/opensearch';
import { CATALOG_MAPPINGS } from './catalog-mappings';

/** The action catalog index, created by the ingest app (which writes it) and the setup job. */
export const CATALOG_INDEX: OwnedIndexDefinition = (names) => ({
  index: names.catalogIndex,
  alias: names.catalogAlias,
  mappings: CATALOG_MAPPINGS,
});

/** The most registered actions read back; the catalog is a vocabulary, not a log. */
export const MAX_CATALOG_ACTIONS = 10_000;

/**
 * The installation-wide action catalog in `<prefix>-catalog` (one document per action, id =
 * action). Thin: validation and defaults live in `parseActionEntry` (@auditlog/events).
 * Written by the ingest app, read by the query app; a catalog index that does not exist
 * yet reads as empty.
 */
@Injectable()
export class ActionCatalogRepository {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
  ) {}

  /** Creates or replaces the entry; visible to searches when this resolves. */
  async put(entry: ActionCatalogEntry): Promise<ActionCatalogEntry> {
    await this.client.index({
      index: this.names.catalogAlias,
      id: entry.action,
      body: entry,
      refresh: 'wait_for',
    });
    return entry;
  }

  /** Every registered action, sorted by action. */
  async all(): Promise<ActionCatalogEntry[]> {
    const { body } = await this.client.search({
      index: this.names.catalogAlias,
      ignore_unavailable: true,
      allow_no_indices: true,
      body: {
        size: MAX_CATALOG_ACTIONS,
        query: { match_all: {} },
        sort: [{ action: 'asc' }],
      },
    });
    return (body.hits.hits as Array<{ _source: ActionCatalogEntry }>).map((hit) => hit._source);
  }
}
