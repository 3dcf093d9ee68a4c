import {
  type EventFilters,
  type FieldProblem,
  type FilterLimits,
  parseEventFilters,
  type QueryParams,
} from '@auditlog/events';
import { destinationUrlProblem, type EgressPolicy } from '@auditlog/egress';
import type { ExportFormat } from '@auditlog/export-jobs';

import type { CreateExportBody } from './exports.dto';

export { MAX_NAME_LENGTH } from './exports.dto';
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

function checkIntegrity(input: CreateExportBody, errors: FieldProblem[]): boolean {
  if (input.include_integrity !== true) return false;
  if (!INTEGRITY_FORMATS.includes(input.format)) {
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

function checkWebhook(
  raw: unknown,
  egress: EgressPolicy,
  errors: FieldProblem[],
): string | undefined {
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
  // A literal address is judged now; a name when the worker resolves it to connect.
  const refused = destinationUrlProblem('webhook_url', url.toString(), egress);
  if (refused) {
    errors.push(refused);
    return undefined;
  }
  return url.toString();
}

/**
 * `POST /v1/exports` body after the DTO (`CreateExportBody`, ADR 0092) checked its shape:
 * the cross-field rules, the webhook URL (its scheme, and a literal address against the
 * egress policy) and the filters, named `filters.<param>`.
 */
export function parseCreateExport(
  input: CreateExportBody,
  now: Date,
  limits: FilterLimits,
  egress: EgressPolicy,
): Parsed<CreateExportRequest> {
  const errors: FieldProblem[] = [];
  const { name, company_id: companyId } = input;
  const webhookUrl = checkWebhook(input.webhook_url, egress, errors);
  const includeIntegrity = checkIntegrity(input, errors);

  const rawFilters = input.filters ?? {};
  let filters: EventFilters | undefined;
  let params: QueryParams = {};
  if (Array.isArray(rawFilters)) {
    errors.push({ path: 'filters', message: 'filters must be an object of filter parameters' });
  } else {
    const entries = Object.entries(rawFilters);
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
    // Digests seal by `received_at`: an integrity export selects and orders by that clock, so
    // its file holds exactly the events of the windows it bundles (ADR 0140).
    if (parsed.ok)
      filters = includeIntegrity
        ? { ...parsed.filters, timeField: 'received_at', sort: 'asc' }
        : parsed.filters;
    else
      errors.push(...parsed.errors.map((error) => ({ ...error, path: `filters.${error.path}` })));
  }

  if (errors.length > 0 || !filters) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: name.trim(),
      format: input.format,
      params: { ...params, from: filters.from, to: filters.to },
      filters,
      ...(companyId === undefined ? {} : { companyId }),
      ...(webhookUrl ? { webhookUrl } : {}),
      includeIntegrity,
    },
  };
}
