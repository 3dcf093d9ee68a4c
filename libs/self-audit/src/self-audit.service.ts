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

const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 200;

/**
 * Records what company owners do with their audit log, in their own company's log. A write
 * that storage refuses for a passing reason (busy, shard not yet started) is retried for
 * about 25 seconds before it is given up and logged.
 */
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
    const id = eventDocumentId(event.company_id, event.id);
    // The same document (same id) is retried: a retry after a lost answer is a duplicate.
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.router
        .writeIndexFor(event.company_id, event.timestamp)
        .then((index) => this.events.bulkCreate([{ index, id, document: event }]))
        .then(
          ([first]) =>
            first ?? {
              status: 'failed' as const,
              retryable: false,
              reason: 'the writer returned no outcome',
            },
          (error: unknown) => ({
            status: 'failed' as const,
            retryable: true,
            reason: String(error),
          }),
        );
      if (outcome.status !== 'failed') return;
      if (!outcome.retryable || attempt >= MAX_ATTEMPTS) {
        this.logger.warn(`self-audit event not stored: ${outcome.reason}`);
        return;
      }
      // e.g. the first write of a day racing the creation of that day's index
      await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)));
    }
  }
}
