import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import {
  type ExportFormat,
  type ExportRecord,
  type IntegrityPart,
  openForDownload,
} from '@auditlog/export-jobs';
import { ProblemException } from '@auditlog/problem';
import { CONTENT_TYPES } from '../format/row-writer';

/** The download file name: company and a label (a time or the export's name), made safe. */
export function downloadFileName(companyId: string, format: ExportFormat, label: string): string {
  const safe = `${companyId}-${label}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  return `audit-events-${safe}.${format}`;
}

/**
 * Everything between an export file and the HTTP response: opening the file (410 once it
 * is gone from disk), the download headers (type, attachment name, length, checksum, no
 * caching) and piping. The controller decides who may download what.
 */
@Injectable()
export class ExportDownloads {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Headers of a streamed download; the caller writes the body. */
  startStream(response: Response, companyId: string, format: ExportFormat): void {
    response.status(200);
    response.setHeader('Content-Type', CONTENT_TYPES[format]);
    this.attachment(response, downloadFileName(companyId, format, new Date().toISOString()));
  }

  /** The events file of a downloadable export. */
  async sendEvents(
    response: Response,
    record: ExportRecord & { file: string },
    onSending: () => void,
  ): Promise<void> {
    const file = await this.open(record.file, record.id);
    onSending();
    response.status(200);
    response.setHeader('Content-Type', CONTENT_TYPES[record.format]);
    this.attachment(response, downloadFileName(record.company_id, record.format, record.name));
    if (record.bytes !== null) response.setHeader('Content-Length', String(record.bytes));
    if (record.sha256) response.setHeader('X-Content-SHA256', record.sha256);
    await pipeline(file, response);
  }

  /** The digests or manifest file of an export created with include_integrity. */
  async sendIntegrity(
    response: Response,
    record: ExportRecord,
    part: IntegrityPart,
  ): Promise<void> {
    const name = part === 'digests' ? record.digests_file : record.manifest_file;
    if (!name) {
      throw new ProblemException(
        404,
        'not-found',
        'Not Found',
        `Export ${record.id} has no ${part} file; create it with include_integrity: true.`,
      );
    }
    const file = await this.open(name, record.id);
    response.status(200);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    const label = downloadFileName(record.company_id, record.format, record.name);
    this.attachment(response, label.replace(/\.[a-z]+$/, `.${part}.json`));
    await pipeline(file, response);
  }

  private attachment(response: Response, fileName: string): void {
    response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    response.setHeader('Cache-Control', 'no-store');
  }

  /** The file opened for reading, or 410 when it is no longer on disk. */
  private async open(name: string, id: string) {
    const file = openForDownload(this.config.export.dir, name);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    }).catch(() => {
      throw new ProblemException(
        410,
        'export-file-gone',
        'Gone',
        `The file of export ${id} is no longer on disk.`,
      );
    });
    return file;
  }
}
