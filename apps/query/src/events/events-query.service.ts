import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  type AuditEvent,
  type EventFilters,
  type FilterSet,
  type QueryParams,
  toAdminView,
  toOwnerView,
} from '@auditlog/events';
import { EventSearch, type EventSortKey } from '@auditlog/opensearch';
import { ProblemException } from '@auditlog/problem';
import type { HistogramInterval } from './histogram-interval';
import { cursorKey, PageCursorCodec, paramsDigest } from './page-cursor';

export interface EventPage {
  data: AuditEvent[];
  next_cursor: string | null;
  total: { value: number; relation: 'eq' | 'gte' };
}

export interface Histogram {
  interval: string;
  from: string;
  to: string;
  buckets: Array<{ timestamp: string; count: number }>;
  total: number;
}

export interface Facets {
  field: string;
  values: Array<{ value: string; count: number }>;
  other_count: number;
}

/** Facet parameter names and the keyword field each one counts. */
export const FACET_FIELDS: Record<string, string> = {
  action: 'action',
  category: 'category',
  operation: 'operation',
  actor_id: 'actor.id',
  actor_email: 'actor.email',
  actor_type: 'actor.type',
  target_type: 'target.type',
  target_id: 'target.id',
  outcome: 'outcome',
  source_tool: 'source.tool',
};

/** The caller of a read: which company, and whether admin-only fields may be shown. */
export interface ReadScope {
  companyId: string;
  admin: boolean;
}

/**
 * The read API's events: cursors, views and problems around the storage searches of
 * EventSearch (which builds every query).
 */
@Injectable()
export class EventsQueryService {
  private readonly cursors: PageCursorCodec;

  constructor(
    private readonly search: EventSearch,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cursors = new PageCursorCodec(cursorKey(config));
  }

  /** Restores the time window bound in a cursor, after verifying it belongs to this search. */
  continueFrom(
    cursor: string,
    scope: ReadScope,
    params: QueryParams,
    filters: EventFilters,
  ): { filters: EventFilters; after: EventSortKey } {
    const state = this.cursors.decode(cursor, scope.companyId, params);
    return { filters: { ...filters, from: state.from, to: state.to }, after: state.after };
  }

  async list(
    scope: ReadScope,
    filters: EventFilters,
    limit: number,
    params: QueryParams,
    after?: EventSortKey,
  ): Promise<EventPage> {
    const { hits, total } = await this.search.list(scope.companyId, filters, limit + 1, after);
    const page = hits.slice(0, limit);
    const last = page.at(-1);
    const next_cursor =
      hits.length > limit && last
        ? this.cursors.encode({
            company: scope.companyId,
            params: paramsDigest(params),
            from: filters.from,
            to: filters.to,
            sort: filters.sort,
            after: last.sort,
          })
        : null;
    const view = scope.admin ? toAdminView : toOwnerView;
    return { data: page.map((hit) => view(hit.event)), next_cursor, total };
  }

  /**
   * One event of the caller's company inside its fixed filters, or 404: other companies'
   * ids, and ids outside the fixed filters, look like unknown ids.
   */
  async detail(
    scope: ReadScope,
    id: string,
    restrictions: readonly FilterSet[] = [],
  ): Promise<AuditEvent> {
    const stored = await this.search.get(scope.companyId, id, restrictions);
    if (!stored) {
      throw new ProblemException(404, 'not-found', 'Not Found', `No event with id "${id}".`);
    }
    return scope.admin ? toAdminView(stored) : toOwnerView(stored);
  }

  async histogram(
    scope: ReadScope,
    filters: EventFilters,
    interval: HistogramInterval,
  ): Promise<Histogram> {
    const { buckets, total } = await this.search.histogram(scope.companyId, filters, interval);
    return { interval: interval.value, from: filters.from, to: filters.to, buckets, total };
  }

  async facets(
    scope: ReadScope,
    filters: EventFilters,
    param: string,
    size: number,
  ): Promise<Facets> {
    const field = FACET_FIELDS[param];
    if (field === undefined) {
      throw ProblemException.badRequest('The facet field is unknown.', [
        { path: 'field', message: `field must be one of ${Object.keys(FACET_FIELDS).join(', ')}` },
      ]);
    }
    const top = await this.search.facet(scope.companyId, filters, field, size);
    return { field: param, values: top.values, other_count: top.otherCount };
  }
}
