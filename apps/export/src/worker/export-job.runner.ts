import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { createEgressPolicy, type EgressPolicy } from '@auditlog/egress';
import { EventScanner } from '@auditlog/opensearch';
import {
  ACTIVE_STATUSES,
  ensureDir,
  type ExportJobData,
  type ExportRecord,
  ExportRepository,
  finalName,
  integrityName,
  partName,
  publish,
  removeExportFiles,
  removeParts,
  toView,
} from '@auditlog/export-jobs';
import { EventExportWriter, RowLimitExceededError } from '../format/event-export.writer';
import { IntegrityBundleWriter } from './integrity-bundle.writer';
import { sendWebhook } from './webhook';

/** Counts and hashes the bytes on their way to the file. */
class Digesting extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

class Cancelled extends Error {}

export type RunResult =
  | { outcome: 'completed'; rows: number; bytes: number; sha256: string }
  | { outcome: 'skipped'; status: string }
  | { outcome: 'cancelled' };

/**
 * Bytes the hashing step and the file stream each buffer before they push back: a few
 * format pieces, so the worker formats the next piece while the last one is written.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Progress reaches the record and the job at most this often. */
const PROGRESS_EVERY_MS = 1000;

/**
 * Runs one export job. Every attempt writes a fresh `<id>.<token>.part` from the first
 * event (a killed attempt's rows are never reused, so none is written twice), fsyncs it
 * and renames it to `<id>.<ext>` only when every event is in. The record turns
 * `completed` after the rename, so a completed record always names a whole file.
 */
@Injectable()
export class ExportJobRunner {
  private readonly logger = new Logger(ExportJobRunner.name);
  private readonly egress: EgressPolicy;

  constructor(
    private readonly exports: ExportRepository,
    private readonly writer: EventExportWriter,
    private readonly scanner: EventScanner,
    private readonly bundle: IntegrityBundleWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.egress = createEgressPolicy(config.egress);
  }

  async run(job: Job<ExportJobData>): Promise<RunResult> {
    const { exportId } = job.data;
    const dir = this.config.export.dir;
    const current = await this.exports.get(exportId);
    if (!current || !ACTIVE_STATUSES.includes(current.status)) {
      return { outcome: 'skipped', status: current?.status ?? 'missing' };
    }
    const record = await this.exports.transition(exportId, ACTIVE_STATUSES, {
      status: 'running',
      started_at: new Date().toISOString(),
      attempts: current.attempts + 1,
      progress: 0,
      rows: 0,
      error: null,
    });
    if (!record) return { outcome: 'skipped', status: 'changed' };

    await ensureDir(dir);
    await removeParts(dir, exportId);
    const part = partName(exportId);
    try {
      const summary = await this.writeFile(job, record, join(dir, part));
      const integrity = record.include_integrity
        ? await this.bundle.write(dir, record, summary)
        : undefined;
      const final = finalName(exportId, record.format);
      const files = {
        file: final,
        digests_file: integrity ? integrityName(exportId, 'digests') : null,
        manifest_file: integrity ? integrityName(exportId, 'manifest') : null,
      };
      if (integrity) {
        await publish(dir, integrity.digestsPart, integrityName(exportId, 'digests'));
        await publish(dir, integrity.manifestPart, integrityName(exportId, 'manifest'));
      }
      // The events file last: a completed record names files that are all in place.
      await publish(dir, part, final);
      const completedAt = new Date();
      const completed = await this.exports.transition(exportId, ['running'], {
        status: 'completed',
        progress: 100,
        rows: summary.rows,
        bytes: summary.bytes,
        sha256: summary.sha256,
        ...files,
        completed_at: completedAt.toISOString(),
        expires_at: new Date(completedAt.getTime() + this.config.export.retentionMs).toISOString(),
        error: null,
      });
      if (!completed) {
        // Cancelled (or failed by maintenance) while finishing: the files must not stay.
        await removeExportFiles(dir, files);
        return { outcome: 'cancelled' };
      }
      await this.notify(completed);
      return { outcome: 'completed', ...summary };
    } catch (error) {
      await removeParts(dir, exportId).catch(() => undefined);
      if (error instanceof Cancelled) return { outcome: 'cancelled' };
      throw error;
    }
  }

  /** Called when an attempt failed: final failures mark the record and notify. */
  async failed(job: Job<ExportJobData>, error: unknown): Promise<void> {
    const message = describe(error);
    const final =
      error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const record = await this.exports.transition(
      job.data.exportId,
      ACTIVE_STATUSES,
      final
        ? { status: 'failed', error: message, completed_at: new Date().toISOString(), progress: 0 }
        : {
            status: 'queued',
            error: `attempt ${job.attemptsMade + 1} failed, retrying: ${message}`,
          },
    );
    if (final && record) await this.notify(record);
  }

  private async writeFile(
    job: Job<ExportJobData>,
    record: ExportRecord,
    path: string,
  ): Promise<{ rows: number; bytes: number; sha256: string }> {
    const total = await this.scanner.count(record.company_id, record.query);
    const maxRows = this.config.export.maxRows;
    if (total > maxRows) throw new UnrecoverableError(new RowLimitExceededError(maxRows).message);
    const digest = new Digesting({ highWaterMark: WRITE_BUFFER_BYTES });
    const written = pipeline(
      digest,
      createWriteStream(path, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES }),
    );
    let failure: unknown;
    written.catch((error: unknown) => (failure = error));
    let lastReport = Date.now();
    try {
      const { rows } = await this.writer.write(
        digest,
        record.company_id,
        record.query,
        record.format,
        record.admin_view,
        async (rows) => {
          if (failure) throw asError(failure);
          if (Date.now() - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = Date.now();
          await this.report(job, record.id, rows, total);
        },
        maxRows,
      );
      digest.end();
      await written;
      return { rows, bytes: digest.bytes, sha256: digest.hash.digest('hex') };
    } catch (error) {
      digest.destroy();
      await written.catch(() => undefined);
      throw asError(failure ?? error);
    }
  }

  private async report(
    job: Job<ExportJobData>,
    id: string,
    rows: number,
    total: number,
  ): Promise<void> {
    const latest = await this.exports.get(id);
    if (latest?.status !== 'running') throw new Cancelled(`export ${id} is ${latest?.status}`);
    const progress = Math.min(99, Math.floor((rows / Math.max(total, 1)) * 100));
    await job.updateProgress(progress);
    await this.exports.progress(id, progress, rows);
  }

  private async notify(record: ExportRecord): Promise<void> {
    const secret = this.config.export.webhookSecret;
    if (!record.webhook_url || !secret) return;
    const result = await sendWebhook(record.webhook_url, secret, toView(record), {
      egress: this.egress,
      timeoutMs: this.config.export.webhookTimeoutMs,
    });
    if (!result.delivered)
      this.logger.warn({ msg: 'export webhook not delivered', id: record.id, ...result });
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A clear, single-line reason for the history record. */
export function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') return 'The export directory is full (ENOSPC); no file was kept.';
  if (code === 'EACCES' || code === 'EROFS')
    return `The export directory is not writable (${code}); no file was kept.`;
  const message = error instanceof Error ? error.message : String(error);
  if (/Missing (key|lock) for job/.test(message))
    return `The job's queue state was lost (was Redis restarted or flushed?): ${message}`;
  const [firstLine = ''] = message.split('\n');
  return firstLine.slice(0, 500);
}
