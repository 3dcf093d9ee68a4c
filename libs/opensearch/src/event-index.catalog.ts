import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { IndexNames, type ParsedEventsIndex } from './index-names';
import { OPENSEARCH_CLIENT } from './opensearch.client';

export interface EventIndexInfo extends ParsedEventsIndex {
  index: string;
  docs: number;
  sizeBytes: number;
  createdAt: Date;
  readOnly: boolean;
}

interface CatIndexRow {
  index: string;
  'docs.count'?: string | null;
  'store.size'?: string | null;
  'creation.date'?: string | null;
}

/** The events indices that exist under this prefix, with their class, period and state. */
@Injectable()
export class EventIndexCatalog {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
  ) {}

  async list(): Promise<EventIndexInfo[]> {
    const [cat, settings] = await Promise.all([
      this.client.cat.indices({
        index: this.names.eventsPattern,
        format: 'json',
        bytes: 'b',
        h: ['index', 'docs.count', 'store.size', 'creation.date'],
        expand_wildcards: 'open',
      }),
      this.client.indices.getSettings({
        index: this.names.eventsPattern,
        name: 'index.blocks.write,index.blocks.read_only',
        flat_settings: true,
        allow_no_indices: true,
        expand_wildcards: 'open',
      }),
    ]);
    const blocks = settings.body;
    const rows = cat.body as unknown as CatIndexRow[];
    return rows
      .flatMap((row) => {
        const parsed = this.names.parseEventsIndex(row.index);
        if (!parsed) return [];
        const indexSettings = blocks[row.index]?.settings ?? {};
        return [
          {
            ...parsed,
            index: row.index,
            docs: Number(row['docs.count'] ?? 0),
            sizeBytes: Number(row['store.size'] ?? 0),
            createdAt: new Date(Number(row['creation.date'] ?? 0)),
            readOnly:
              indexSettings['index.blocks.write'] === 'true' ||
              indexSettings['index.blocks.read_only'] === 'true',
          },
        ];
      })
      .sort((a, b) => a.index.localeCompare(b.index));
  }
}
