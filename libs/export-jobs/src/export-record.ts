import type { EventFilters, QueryParams } from '@auditlog/events';
import type { ExportFormat } from './export-format';

export const EXPORT_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** Statuses a job can still leave by itself. */
export const ACTIVE_STATUSES: readonly ExportStatus[] = ['queued', 'running'];

/** One export as stored in the `<prefix>-exports` index. */
export interface ExportRecord {
  id: string;
  company_id: string;
  name: string;
  format: ExportFormat;
  /** The filter parameters as requested, with `from`/`to` fixed to absolute instants. */
  filters: QueryParams;
  /** The parsed filter model the worker runs. */
  query: EventFilters;
  /** Whether the file carries the admin-only ingest fields. */
  admin_view: boolean;
  created_by: string;
  /**
   * Digest of the fixed filters of the viewer session that created it (their filter sets
   * are in `query.restrictions`); null or absent when made without fixed filters.
   */
  restriction?: string | null;
  status: ExportStatus;
  progress: number;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
  expires_at: string | null;
  error: string | null;
  attempts: number;
  /** File name inside EXPORT_DIR while completed. */
  file: string | null;
  webhook_url: string | null;
  /** Whether the job also writes the covering digests and a manifest (json/ndjson only). */
  include_integrity?: boolean;
  /** File names inside EXPORT_DIR of the integrity files while completed. */
  digests_file?: string | null;
  manifest_file?: string | null;
}

/** What the API shows: every SPEC §6 field, nothing internal. */
export interface ExportView {
  id: string;
  name: string;
  format: ExportFormat;
  filters: QueryParams;
  status: ExportStatus;
  progress: number;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  created_at: string;
  completed_at: string | null;
  expires_at: string | null;
  error: string | null;
  company_id: string;
  webhook_url: string | null;
  include_integrity: boolean;
  /** True while the digests and manifest files can be downloaded. */
  integrity_files: boolean;
}

export function toView(record: ExportRecord): ExportView {
  return {
    id: record.id,
    name: record.name,
    format: record.format,
    filters: record.filters,
    status: record.status,
    progress: record.progress,
    rows: record.rows,
    bytes: record.bytes,
    sha256: record.sha256,
    created_at: record.created_at,
    completed_at: record.completed_at,
    expires_at: record.expires_at,
    error: record.error,
    company_id: record.company_id,
    webhook_url: record.webhook_url,
    include_integrity: record.include_integrity ?? false,
    integrity_files: Boolean(record.digests_file && record.manifest_file),
  };
}
