import { createHash } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { type Principal, viewerDetails } from '@auditlog/auth';
import type { QueryParams } from '@auditlog/events';
import { SelfAuditService } from '@auditlog/self-audit';
import { paramsDigest } from './page-cursor';

const BUCKET_MS = 3_600_000;
const MAX_REMEMBERED = 10_000;
/** Larger filter sets are recorded by digest only, well inside the 64 KiB details limit. */
const MAX_RECORDED_FILTERS_BYTES = 16 * 1024;
/** How long a graceful stop waits for view records already under way (ADR 0156). */
const SHUTDOWN_DRAIN_MS = 10_000;

export type ViewKind = 'search' | 'detail' | 'histogram' | 'facets' | 'tail';

/**
 * Records what company owners read as `audit_log.viewed` events in their own company's
 * log. One event per (subject, company, kind, filters, UTC hour): every page of a search
 * and every refresh within the hour share a deterministic id, so the create-once store
 * keeps the first and drops the repeats. A viewer session's reads name its subject as the
 * actor and add `via: "viewer_token"` with the token's id. Installation admins' reads are
 * not company events, nor are SIEM keys' (which may read many companies at once); they are
 * written to the application log instead.
 *
 * The record is written beside the response, never awaited by it (ADR 0156): the reader
 * does not wait for the write, and a write that fails for a passing reason is retried by
 * SelfAuditService. A graceful stop waits for the writes under way; only a crash within
 * those seconds loses a view record (and the warning in the log says so when storage
 * refuses it for good).
 */
@Injectable()
export class QueryAuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(QueryAuditService.name);
  private readonly recent = new Set<string>();
  private readonly writing = new Set<Promise<void>>();

  constructor(private readonly selfAudit: SelfAuditService) {}

  viewed(
    principal: Principal,
    companyId: string,
    kind: ViewKind,
    params: QueryParams,
    now = new Date(),
  ): void {
    const admin = principal.roles.includes('installation_admin');
    const digest = paramsDigest(params);
    if (admin || principal.via === 'siem_key') {
      const msg = admin ? 'admin read' : 'siem read';
      this.logger.log({ msg, subject: principal.subject, companyId, kind, params });
      return;
    }
    const bucket = Math.floor(now.getTime() / BUCKET_MS);
    // Each viewer session is its own reader: its reads are never folded into another's.
    const reader = principal.viewerTokenId
      ? [principal.subject, principal.viewerTokenId]
      : [principal.subject];
    const id = `viewed-${createHash('sha256')
      .update(JSON.stringify([...reader, companyId, kind, digest, bucket]))
      .digest('hex')
      .slice(0, 40)}`;
    if (this.recent.has(id)) return;
    if (this.recent.size >= MAX_REMEMBERED) this.recent.clear();
    this.recent.add(id);
    const { cursor: _cursor, limit: _limit, ...filters } = params;
    const recorded =
      JSON.stringify(filters).length <= MAX_RECORDED_FILTERS_BYTES
        ? { filters }
        : { filters_digest: digest };
    const write = this.selfAudit
      .record({
        id,
        companyId,
        action: 'audit_log.viewed',
        actor: { id: principal.subject || 'unknown', type: 'user' },
        description: `Audit log ${kind} by ${principal.subject || 'unknown'}`,
        details: { kind, ...recorded, ...viewerDetails(principal) },
      })
      .catch((error: unknown) => {
        this.recent.delete(id);
        this.logger.warn(`audit_log.viewed not recorded: ${String(error)}`);
      })
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }

  /** Before storage clients close: the view records under way are written first. */
  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    // Reads answered while waiting add writes of their own: wait for those too.
    while (this.writing.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.writing]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
    if (this.writing.size > 0) {
      this.logger.warn(`${this.writing.size} audit_log.viewed records still unwritten at shutdown`);
    }
  }
}
