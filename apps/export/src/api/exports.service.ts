import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import { EventScanner } from '@auditlog/opensearch';
import { MAX_DIGESTS_PER_REQUEST } from '@auditlog/integrity-store';
import {
  ACTIVE_STATUSES,
  EXPORT_JOB,
  EXPORT_QUEUE_TOKEN,
  type ExportJobData,
  exportJobOptions,
  type ExportRecord,
  ExportRepository,
  ExportSlots,
  type ExportView,
  type SlotAnswer,
  removeExportFiles,
  toView,
} from '@auditlog/export-jobs';
import type { CreateExportRequest } from './export-request';

export interface ExportScope {
  companyId: string;
  admin: boolean;
  subject: string;
  /**
   * Digest of the caller's fixed filters (viewer sessions): such a caller creates exports
   * marked with it and sees only exports with the same mark. Absent: the whole history.
   */
  restriction?: string;
}

/** Which part of a company's export history a caller sees. */
export type HistoryScope = Pick<ExportScope, 'companyId' | 'restriction'>;

export function notFound(id: string): ProblemException {
  return new ProblemException(404, 'not-found', 'Not Found', `No export with id "${id}".`);
}

export function tooManyRows(matching: number, limit: number, hint: string): ProblemException {
  return new ProblemException(
    413,
    'export-too-large',
    'Export Too Large',
    `${matching} events match; at most ${limit} are allowed here.`,
    undefined,
    {},
    { matching, limit, hint },
  );
}

/** Up-front check of the streamed download's size. */
export function checkStreamSize(matching: number, limit: number): void {
  if (matching > limit) {
    throw tooManyRows(
      matching,
      limit,
      'Create an export job instead: POST /v1/exports {"name", "format", "filters"}.',
    );
  }
}

/** Export jobs from the API's side: create, list, read, cancel or delete, download. */
@Injectable()
export class ExportsService {
  private readonly logger = new Logger(ExportsService.name);

  constructor(
    private readonly exports: ExportRepository,
    private readonly scanner: EventScanner,
    @Inject(EXPORT_QUEUE_TOKEN) private readonly queue: Queue<ExportJobData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly slots: ExportSlots,
  ) {}

  async create(
    scope: ExportScope,
    request: CreateExportRequest,
    requestId?: string,
  ): Promise<ExportRecord> {
    const limits = this.config.export;
    const matching = await this.scanner.count(scope.companyId, request.filters);
    if (matching > limits.maxRows) {
      throw tooManyRows(
        matching,
        limits.maxRows,
        'Narrow the filters (a shorter from..to window) and create several exports.',
      );
    }
    if (request.webhookUrl && !limits.webhookSecret) {
      throw ProblemException.badRequest('Webhooks are not enabled on this installation.', [
        { path: 'webhook_url', message: 'EXPORT_WEBHOOK_SECRET is not configured' },
      ]);
    }
    if (request.includeIntegrity) this.checkDigestCount(request);
    const id = `exp_${randomUUID().replace(/-/g, '')}`;
    await this.takeSlot(scope.companyId, id);
    try {
      return await this.enqueue(scope, request, id, requestId);
    } catch (error) {
      await this.slots
        .release(scope.companyId, id)
        .catch((releaseError: unknown) =>
          this.logger.warn(`export ${id}: slot not given back: ${String(releaseError)}`),
        );
      throw error;
    }
  }

  /**
   * The company's limit on queued + running jobs, taken atomically in Redis (ExportSlots):
   * simultaneous requests on any number of replicas cannot overshoot it.
   */
  private async takeSlot(companyId: string, id: string): Promise<void> {
    const limit = this.config.export.maxConcurrentPerCompany;
    let answer: SlotAnswer;
    try {
      answer = await this.slots.acquire(companyId, id, limit);
    } catch (error) {
      this.logger.error(`export slots unavailable: ${String(error)}`);
      throw ProblemException.unavailable('The export queue is unavailable; retry shortly.', 5);
    }
    if (!answer.acquired) {
      throw new ProblemException(
        429,
        'too-many-exports',
        'Too Many Requests',
        `This company already has ${answer.held} export job(s) queued or running; at most ${limit} at once. Retry when one has finished.`,
        undefined,
        { 'Retry-After': '30' },
      );
    }
  }

  private async enqueue(
    scope: ExportScope,
    request: CreateExportRequest,
    id: string,
    requestId?: string,
  ): Promise<ExportRecord> {
    const now = new Date().toISOString();
    const record: ExportRecord = {
      id,
      company_id: scope.companyId,
      name: request.name,
      format: request.format,
      filters: request.params,
      query: request.filters,
      admin_view: scope.admin,
      created_by: scope.subject,
      restriction: scope.restriction ?? null,
      status: 'queued',
      progress: 0,
      rows: null,
      bytes: null,
      sha256: null,
      created_at: now,
      updated_at: now,
      started_at: null,
      completed_at: null,
      expires_at: null,
      error: null,
      attempts: 0,
      file: null,
      webhook_url: request.webhookUrl ?? null,
      include_integrity: request.includeIntegrity,
      digests_file: null,
      manifest_file: null,
    };
    await this.exports.create(record);
    try {
      await this.queue.add(
        EXPORT_JOB,
        { exportId: record.id, companyId: record.company_id, requestId },
        exportJobOptions(this.config, record.id),
      );
    } catch (error) {
      this.logger.error(`export ${record.id} could not be queued: ${String(error)}`);
      await this.exports.transition(record.id, ['queued'], {
        status: 'failed',
        error: 'The job queue was unavailable; create the export again.',
        completed_at: new Date().toISOString(),
      });
      throw ProblemException.unavailable('The export queue is unavailable; retry shortly.', 5);
    }
    return record;
  }

  /** The bundle holds every digest window of the range: keep it within one listing's bound. */
  private checkDigestCount(request: CreateExportRequest): void {
    const span = Date.parse(request.filters.to) - Date.parse(request.filters.from);
    const windows = Math.ceil(span / this.config.integrity.windowMs);
    if (windows > MAX_DIGESTS_PER_REQUEST) {
      throw ProblemException.badRequest(
        `The range spans ${windows} digest windows; include_integrity allows at most ${MAX_DIGESTS_PER_REQUEST}.`,
        [{ path: 'filters.from', message: 'the range holds too many digest windows' }],
      );
    }
  }

  async list(scope: HistoryScope, limit: number): Promise<ExportView[]> {
    return (await this.exports.list(scope.companyId, limit, scope.restriction)).map(toView);
  }

  async get(scope: HistoryScope, id: string): Promise<ExportRecord> {
    const record = await this.exports.get(id, scope.companyId, scope.restriction);
    if (!record) throw notFound(id);
    return record;
  }

  /**
   * Cancels a queued or running job (a running worker stops at its next page), or deletes
   * the file of a completed export (the record stays, as `expired`). Finished records are
   * left as they are.
   */
  async cancelOrDelete(scope: HistoryScope, id: string): Promise<ExportRecord> {
    const record = await this.get(scope, id);
    const now = new Date().toISOString();
    if (ACTIVE_STATUSES.includes(record.status)) {
      const cancelled = await this.exports.transition(id, ACTIVE_STATUSES, {
        status: 'cancelled',
        completed_at: now,
        error: null,
      });
      if (cancelled) {
        await this.slots.release(record.company_id, id);
        // A waiting job is removed now; an active one is locked and ends itself.
        await this.queue.remove(id).catch(() => 0);
        return cancelled;
      }
      return this.cancelOrDelete(scope, id);
    }
    if (record.status === 'completed') {
      const expired = await this.exports.transition(id, ['completed'], {
        status: 'expired',
        expires_at: now,
        file: null,
        digests_file: null,
        manifest_file: null,
      });
      await removeExportFiles(this.config.export.dir, record);
      if (expired) return expired;
      return this.get(scope, id);
    }
    return record;
  }

  /** The file of a completed, unexpired export, or 404/409. */
  async downloadable(scope: HistoryScope, id: string): Promise<ExportRecord & { file: string }> {
    const record = await this.get(scope, id);
    const expired = record.expires_at !== null && Date.parse(record.expires_at) <= Date.now();
    if (record.status !== 'completed' || !record.file || expired) {
      throw new ProblemException(
        409,
        'export-not-downloadable',
        'Conflict',
        `Export ${id} is ${expired && record.status === 'completed' ? 'expired' : record.status}; only completed, unexpired exports can be downloaded.`,
      );
    }
    return record as ExportRecord & { file: string };
  }
}
