import {
  type EventFilters,
  type FieldProblem,
  type FilterLimits,
  parseEventFilters,
  type QueryParams,
} from '@auditlog/events';
import { EXPORT_FORMATS, type ExportFormat, isExportFormat } from '../format/row-writer';

export const MAX_NAME_LENGTH = 200;
const BODY_FIELDS = ['name', 'format', 'filters', 'company_id', 'webhook_url', 'include_integrity'];
/** Formats that carry each event whole (with `hash`), so the offline verifier can read them. */
export const INTEGRITY_FORMATS: readonly ExportFormat[] = ['json', 'ndjson'];
/** Filters an integrity export allows: digests seal every event of a window, not a selection. */
const INTEGRITY_FILTERS = ['from', 'to'];

export interface CreateExportRequest {
  name: string;
  format: ExportFormat;
  /** The filter parameters with `from`/`to` fixed, as stored and shown in the history. */
  params: QueryParams;
  filters: EventFilters;
  companyId?: string;
  webhookUrl?: string;
  includeIntegrity: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

function isParamValue(value: unknown): value is string | string[] {
  return (
    typeof value === 'string' ||
    (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

function checkIntegrity(input: Record<string, unknown>, errors: FieldProblem[]): boolean {
  const raw = input.include_integrity;
  if (raw === undefined || raw === null || raw === false) return false;
  if (raw !== true) {
    errors.push({ path: 'include_integrity', message: 'include_integrity must be a boolean' });
    return false;
  }
  if (isExportFormat(input.format) && !INTEGRITY_FORMATS.includes(input.format)) {
    errors.push({
      path: 'include_integrity',
      message: `include_integrity needs format ${INTEGRITY_FORMATS.join(' or ')}`,
    });
  }
  const filters = input.filters;
  if (typeof filters === 'object' && filters !== null && !Array.isArray(filters)) {
    const others = Object.keys(filters).filter((key) => !INTEGRITY_FILTERS.includes(key));
    if (others.length > 0) {
      errors.push({
        path: 'include_integrity',
        message: `include_integrity allows only the from and to filters, not ${others.join(', ')}`,
      });
    }
  }
  return true;
}

function checkWebhook(raw: unknown, errors: FieldProblem[]): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' && raw.length <= 2048 ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password) {
    errors.push({
      path: 'webhook_url',
      message: 'webhook_url must be an http(s) URL without credentials',
    });
    return undefined;
  }
  return url.toString();
}

/** `POST /v1/exports` body: `{name, format, filters, company_id?, webhook_url?, include_integrity?}`. */
export function parseCreateExport(
  body: unknown,
  now: Date,
  limits: FilterLimits,
): Parsed<CreateExportRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ path: '', message: 'the body must be a JSON object' }] };
  }
  const input = body as Record<string, unknown>;
  const errors: FieldProblem[] = Object.keys(input)
    .filter((key) => !BODY_FIELDS.includes(key))
    .map((key) => ({ path: key, message: `unknown field: ${key}` }));

  const name = input.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    errors.push({
      path: 'name',
      message: `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
    });
  }
  if (!isExportFormat(input.format)) {
    errors.push({ path: 'format', message: `format must be one of ${EXPORT_FORMATS.join(', ')}` });
  }
  const companyId = input.company_id;
  if (companyId !== undefined && (typeof companyId !== 'string' || companyId === '')) {
    errors.push({ path: 'company_id', message: 'company_id must be a non-empty string' });
  }
  const webhookUrl = checkWebhook(input.webhook_url, errors);
  const includeIntegrity = checkIntegrity(input, errors);

  const rawFilters = input.filters ?? {};
  let filters: EventFilters | undefined;
  let params: QueryParams = {};
  if (typeof rawFilters !== 'object' || rawFilters === null || Array.isArray(rawFilters)) {
    errors.push({ path: 'filters', message: 'filters must be an object of filter parameters' });
  } else {
    const entries = Object.entries(rawFilters as Record<string, unknown>);
    for (const [key, value] of entries) {
      if (!isParamValue(value)) {
        errors.push({
          path: `filters.${key}`,
          message: 'filter values are strings or arrays of strings',
        });
      }
    }
    params = Object.fromEntries(entries.filter(([, value]) => isParamValue(value))) as QueryParams;
    const parsed = parseEventFilters(params, now, limits);
    if (parsed.ok) filters = parsed.filters;
    else
      errors.push(...parsed.errors.map((error) => ({ ...error, path: `filters.${error.path}` })));
  }

  if (errors.length > 0 || !filters) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: (name as string).trim(),
      format: input.format as ExportFormat,
      params: { ...params, from: filters.from, to: filters.to },
      filters,
      ...(typeof companyId === 'string' ? { companyId } : {}),
      ...(webhookUrl ? { webhookUrl } : {}),
      includeIntegrity,
    },
  };
}

/** `format` of the streamed download; csv when absent. */
export function parseStreamFormat(params: QueryParams): Parsed<ExportFormat> {
  const raw = params.format ?? 'csv';
  if (isExportFormat(raw)) return { ok: true, value: raw };
  return {
    ok: false,
    errors: [{ path: 'format', message: `format must be one of ${EXPORT_FORMATS.join(', ')}` }],
  };
}
