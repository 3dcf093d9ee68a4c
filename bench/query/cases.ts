import type { Client } from '@opensearch-project/opensearch';
import { parseEventFilters, type QueryParams } from '@auditlog/events';
import {
  buildEventQuery,
  EVENT_PAGE_FILTER_PATH,
  eventSort,
  IndexNames,
} from '@auditlog/opensearch';

const DAY = 86_400_000;

export interface Case {
  name: string;
  params: QueryParams;
  /** Pages to follow with the cursor before the measured request (deep paging). */
  depth?: number;
}

/** The five owner queries of the query benchmark, relative to the data set's "now". */
export function cases(now: number): Case[] {
  const since = (days: number) => new Date(now - days * DAY).toISOString();
  return [
    { name: 'last 24 h', params: {} },
    { name: '30 days, one actor', params: { from: since(30), actor_id: 'user-7' } },
    { name: '7 days, action prefix', params: { from: since(7), action: 'flow.*' } },
    { name: '7 days, free text', params: { from: since(7), q: 'payment rollback' } },
    { name: '30 days, page 50 (cursor)', params: { from: since(30) }, depth: 49 },
  ];
}

export interface DirectPage {
  hits: Array<{ sort: Array<string | number> }>;
  /** OpenSearch's own time for the search (`took`). */
  tookMs: number;
}

/**
 * The OpenSearch query `GET /v1/events` sends for `acme` (limit 100), built by the same
 * functions and sent to the same indices (those the window can overlap), directly with the
 * client.
 */
export async function directSearch(
  client: Client,
  prefix: string,
  params: QueryParams,
  after?: Array<string | number>,
): Promise<DirectPage> {
  const { body } = await client.search(directRequest(prefix, params, after));
  return { hits: body.hits.hits as DirectPage['hits'], tookMs: body.took };
}

/** The search request of one page; `extra` adds to the body (e.g. `profile`). */
export function directRequest(
  prefix: string,
  params: QueryParams,
  after?: Array<string | number>,
  extra: Record<string, unknown> = {},
) {
  const parsed = parseEventFilters(params);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const { from, to } = parsed.filters;
  return {
    index: new IndexNames(prefix).readIndicesFor(from, to).join(','),
    ignore_unavailable: true,
    allow_no_indices: true,
    // The API's filter_path, plus OpenSearch's own time for the benchmark's `took` column.
    filter_path: `${EVENT_PAGE_FILTER_PATH},took`,
    body: {
      size: 101,
      track_total_hits: 10_000,
      query: buildEventQuery('acme', parsed.filters),
      sort: eventSort(parsed.filters.sort),
      ...(after ? { search_after: after } : {}),
      ...extra,
    },
  };
}

/** The index sort that matches the newest-first list order exactly (ADR 0034). */
export const INDEX_SORT = {
  'sort.field': eventSort('desc').map((clause) => Object.keys(clause)[0]),
  'sort.order': eventSort('desc').map((clause) => Object.values(clause)[0]),
};

/**
 * Makes the events indices of `prefix` created from now on sorted newest first: a
 * template of higher priority than the app's, with the app's settings and mappings.
 */
export async function sortNewIndices(client: Client, prefix: string): Promise<void> {
  const name = new IndexNames(prefix).eventsTemplate;
  const { body } = await client.indices.getIndexTemplate({ name });
  const found = body.index_templates[0];
  if (!found) throw new Error(`index template ${name} is missing: start the app first`);
  const source = found.index_template as unknown as {
    index_patterns: string[];
    priority: number;
    template: { settings?: { index?: Record<string, unknown> } };
  };
  await client.indices.putIndexTemplate({
    name: `${name}-sorted`,
    body: {
      index_patterns: source.index_patterns,
      priority: source.priority + 1,
      template: {
        ...source.template,
        settings: { index: { ...source.template.settings?.index, ...INDEX_SORT } },
      },
    },
  });
}
