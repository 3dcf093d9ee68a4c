import { Injectable, Logger } from '@nestjs/common';
import { normalizeEvent } from '@auditlog/events';
import { eventDocumentId, EventRepository } from '@auditlog/opensearch';
import { IndexRouter } from '@auditlog/retention';

export interface SelfAuditEntry {
  companyId: string;
  /** `audit_log.viewed` or `audit_log.exported`. */
  action: string;
  actor: {
    id: string;
    type: 'user' | 'api_token' | 'service' | 'agent' | 'system';
    name?: string;
    email?: string;
  };
  description?: string;
  details?: Record<string, unknown>;
  /** A deterministic id collapses repeats (e.g. every page of one search) into one event. */
  id?: string;
}

/** Records what company owners do with their audit log, in their own company's log. */
@Injectable()
export class SelfAuditService {
  private readonly logger = new Logger(SelfAuditService.name);

  constructor(
    private readonly events: EventRepository,
    private readonly router: IndexRouter,
  ) {}

  async record(entry: SelfAuditEntry): Promise<void> {
    const now = new Date();
    const result = normalizeEvent(
      {
        ...(entry.id ? { id: entry.id, timestamp: now.toISOString() } : {}),
        company_id: entry.companyId,
        action: entry.action,
        actor: entry.actor,
        ...(entry.description ? { description: entry.description } : {}),
        ...(entry.details ? { details: entry.details } : {}),
      },
      { keyId: 'auditlog', now },
    );
    if (!result.ok) throw new Error(`invalid self-audit event: ${JSON.stringify(result.errors)}`);
    const event = result.event;
    const [outcome] = await this.events.bulkCreate([
      {
        index: await this.router.writeIndexFor(event.company_id, event.timestamp),
        id: eventDocumentId(event.company_id, event.id),
        document: event,
      },
    ]);
    if (outcome.status === 'failed')
      this.logger.warn(`self-audit event not stored: ${outcome.reason}`);
  }
}
