import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isAdmin, type Principal, viewerDetails } from '@auditlog/auth';
import type { QueryParams } from '@auditlog/events';
import { SelfAuditService } from '@auditlog/self-audit';

export type ExportKind = 'stream' | 'job' | 'download';

export interface ExportAuditDetails {
  kind: ExportKind;
  format: string;
  filters: QueryParams;
  export_id?: string;
  name?: string;
  rows?: number;
}

/**
 * Records company owners' exports as `audit_log.exported` events in their own company's
 * log: every streamed download, every export job created and every file downloaded. A job
 * is recorded once (its id is derived from the export id). A viewer session's exports name
 * its subject as the actor, with `via: "viewer_token"` and the token's id. Installation
 * admins' exports go to the application log instead, as their reads do in the query API.
 */
@Injectable()
export class ExportAuditService {
  private readonly logger = new Logger(ExportAuditService.name);

  constructor(private readonly selfAudit: SelfAuditService) {}

  exported(principal: Principal, companyId: string, details: ExportAuditDetails): void {
    if (isAdmin(principal)) {
      this.logger.log({ msg: 'admin export', subject: principal.subject, companyId, ...details });
      return;
    }
    // A job is one event however often it is retried; every stream and download is its own.
    const key = details.kind === 'job' ? `job:${details.export_id}` : randomUUID();
    const id = `exported-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
    const subject = principal.subject || 'unknown';
    this.selfAudit
      .record({
        id,
        companyId,
        action: 'audit_log.exported',
        actor: { id: subject, type: 'user' },
        description: `Audit log ${details.kind} export (${details.format}) by ${subject}`,
        details: { ...details, ...viewerDetails(principal) },
      })
      .catch((error: unknown) =>
        this.logger.warn(`audit_log.exported not recorded: ${String(error)}`),
      );
  }
}
