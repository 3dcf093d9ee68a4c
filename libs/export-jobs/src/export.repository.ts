import { Inject, Injectable } from '@nestjs/common';
import { type Client, errors } from '@opensearch-project/opensearch';
import { IndexNames, OPENSEARCH_CLIENT, type OwnedIndexDefinition } from '@auditlog/opensearch';
import { EXPORT_MAPPINGS } from './export-mappings';
import type { ExportRecord, ExportStatus } from './export-record';

/** The export history index, created by the export API, its worker and the setup job. */
export const EXPORTS_INDEX: OwnedIndexDefinition = (names) => ({
  index: names.exportsIndex,
  alias: names.exportsAlias,
  mappings: EXPORT_MAPPINGS,
});

interface Versioned {
  record: ExportRecord;
  seqNo: number;
  primaryTerm: number;
}

/**
 * Export history in OpenSearch (`<prefix>-exports`, created at start by the processes that own EXPORTS_INDEX), durable
 * beyond Redis. Status changes
 * are compare-and-set on the document version, so a cancel, the worker and the cleanup
 * never overwrite each other's transition.
 */
@Injectable()
export class ExportRepository {
  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
  ) {}

  async create(record: ExportRecord): Promise<void> {
    await this.client.index({
      index: this.names.exportsAlias,
      id: record.id,
      op_type: 'create',
      body: record,
      refresh: true,
    });
  }

  /**
   * Realtime read by id; `companyId` hides other companies' exports as absent, and
   * `restriction` (a fixed-filters digest) every export not made under the same filters.
   */
  async get(
    id: string,
    companyId?: string,
    restriction?: string,
  ): Promise<ExportRecord | undefined> {
    const record = (await this.getVersioned(id, companyId))?.record;
    if (record && restriction !== undefined && record.restriction !== restriction) return undefined;
    return record;
  }

  async list(companyId: string, limit: number, restriction?: string): Promise<ExportRecord[]> {
    const filter: Array<Record<string, unknown>> = [{ term: { company_id: companyId } }];
    if (restriction !== undefined) filter.push({ term: { restriction } });
    const { body } = await this.client.search({
      index: this.names.exportsAlias,
      body: {
        size: limit,
        query: { bool: { filter } },
        sort: [{ created_at: 'desc' }, { id: 'desc' }],
      },
    });
    return (body.hits.hits as Array<{ _source: ExportRecord }>).map((hit) => hit._source);
  }

  /** Records in one of `statuses` matching an extra range filter, oldest first. */
  async find(
    statuses: readonly ExportStatus[],
    range: Record<string, { lte?: string; lt?: string }>,
    size = 500,
  ): Promise<ExportRecord[]> {
    await this.client.indices.refresh({ index: this.names.exportsAlias });
    const { body } = await this.client.search({
      index: this.names.exportsAlias,
      body: {
        size,
        query: { bool: { filter: [{ terms: { status: statuses } }, { range }] } },
        sort: [{ created_at: 'asc' }],
      },
    });
    return (body.hits.hits as Array<{ _source: ExportRecord }>).map((hit) => hit._source);
  }

  /**
   * Applies `patch` only while the record is in one of `from`; answers the new record, or
   * undefined when the record is absent or already elsewhere.
   */
  async transition(
    id: string,
    from: readonly ExportStatus[],
    patch: Partial<ExportRecord>,
  ): Promise<ExportRecord | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.getVersioned(id);
      if (!current || !from.includes(current.record.status)) return undefined;
      const record = { ...current.record, ...patch, updated_at: new Date().toISOString() };
      try {
        await this.client.index({
          index: this.names.exportsAlias,
          id,
          body: record,
          if_seq_no: current.seqNo,
          if_primary_term: current.primaryTerm,
          refresh: true,
        });
        return record;
      } catch (error) {
        if (!(error instanceof errors.ResponseError) || error.statusCode !== 409) throw error;
      }
    }
    throw new Error(`export ${id} kept changing; transition abandoned`);
  }

  /** Progress of a running job; never touches the status. */
  async progress(id: string, progress: number, rows: number): Promise<void> {
    await this.client.update({
      index: this.names.exportsAlias,
      id,
      body: { doc: { progress, rows, updated_at: new Date().toISOString() } },
      retry_on_conflict: 3,
    });
  }

  private async getVersioned(id: string, companyId?: string): Promise<Versioned | undefined> {
    const { body, statusCode } = await this.client.get(
      { index: this.names.exportsAlias, id },
      { ignore: [404] },
    );
    if (statusCode === 404 || !body.found) return undefined;
    const record = body._source as ExportRecord;
    if (companyId !== undefined && record.company_id !== companyId) return undefined;
    return { record, seqNo: body._seq_no as number, primaryTerm: body._primary_term as number };
  }
}
