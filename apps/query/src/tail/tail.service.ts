import { Inject, Injectable } from '@nestjs/common';
import { isAdmin, type Principal, principalRestrictions } from '@auditlog/auth';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type AuditEvent, type EventFilters, type QueryParams, viewFor } from '@auditlog/events';
import { EventTailReader, type TailFilters } from '@auditlog/tail';
import { ProblemException } from '@auditlog/problem';
import { cursorKey } from '../events/page-cursor';
import { QueryAuditService } from '../events/query-audit.service';
import { scopeKey, TailCursorCodec } from './tail-cursor';

export interface TailPageView {
  data: AuditEvent[];
  /** Always present: the position to send as `after` next, even after an empty page. */
  after: string;
  /** Every event stored before this instant is in this page or an earlier one. */
  watermark: string;
}

export interface TailRead {
  companyId?: string;
  filters: EventFilters;
  params: QueryParams;
  after?: string;
  since?: string;
  limit: number;
}

function forbidden(detail: string): ProblemException {
  return new ProblemException(403, 'forbidden', 'Forbidden', detail);
}

/** The companies a principal's tail reads: its own, a named one it may read, or all. */
export function tailCompanies(
  principal: Principal,
  requested: string | undefined,
): readonly string[] | 'all' {
  if (principal.via === 'siem_key') {
    const allowed = principal.siemCompanies ?? [];
    if (requested === undefined) return allowed === '*' ? 'all' : allowed;
    if (allowed === '*' || allowed.includes(requested)) return [requested];
    throw forbidden('This SIEM key cannot read that company.');
  }
  if (isAdmin(principal)) return requested === undefined ? 'all' : [requested];
  const own = principal.companyId;
  if (own === undefined || (requested !== undefined && requested !== own)) {
    throw forbidden('Company owners can only read their own company.');
  }
  return [own];
}

/**
 * The tail API over EventTailReader: who reads which companies, the signed `after`, the
 * reader's view of each event.
 */
@Injectable()
export class TailService {
  private readonly cursors: TailCursorCodec;

  constructor(
    private readonly reader: EventTailReader,
    private readonly audit: QueryAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cursors = new TailCursorCodec(cursorKey(config));
  }

  async read(principal: Principal, request: TailRead): Promise<TailPageView> {
    const companies = tailCompanies(principal, request.companyId);
    const { maxPageSize, settleMs } = this.config.tail;
    const problems = [];
    if (request.limit > maxPageSize) {
      problems.push({ path: 'limit', message: `limit must not be greater than ${maxPageSize}` });
    }
    if ('sort' in request.params) {
      problems.push({ path: 'sort', message: 'the tail is always in storage order; omit sort' });
    }
    if (request.since !== undefined && Number.isNaN(Date.parse(request.since))) {
      problems.push({ path: 'since', message: 'since must be an ISO 8601 instant' });
    }
    if (problems.length > 0)
      throw ProblemException.badRequest('The tail request is invalid.', problems);

    const scope = scopeKey(companies);
    const after =
      request.after === undefined
        ? undefined
        : this.cursors.decode(request.after, scope, request.params);
    const page = await this.reader.read({
      companies,
      filters: this.tailFilters(principal, request),
      after,
      since: request.since === undefined ? undefined : new Date(request.since).toISOString(),
      limit: request.limit,
      settleMs,
    });
    // Positions change on every read: the filters alone name the reading, recorded once
    // an hour like any other (docs/query.md).
    const { after: _after, since: _since, limit: _limit, ...filters } = request.params;
    this.audit.viewed(principal, scope, 'tail', filters);
    return {
      data: page.events.map(viewFor(isAdmin(principal))),
      after: this.cursors.encode(scope, request.params, page.next),
      watermark: page.watermark,
    };
  }

  /** The request's filters; the timestamp window only where the caller named a bound. */
  private tailFilters(principal: Principal, request: TailRead): TailFilters {
    const { from, to, sort: _sort, ...filters } = request.filters;
    const restrictions = principalRestrictions(principal);
    return {
      ...filters,
      ...(restrictions.length > 0 ? { restrictions } : {}),
      ...('from' in request.params ? { from } : {}),
      ...('to' in request.params ? { to } : {}),
    };
  }
}
