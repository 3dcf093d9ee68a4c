import { type Permission, PERMISSIONS } from '@auditlog/auth';
import {
  COMPANY_ID_PATTERN,
  type FieldProblem,
  parseFilterSet,
  type QueryParams,
  unknownFieldProblems,
} from '@auditlog/events';

const BODY_FIELDS = ['company_id', 'subject', 'roles', 'filters', 'permissions', 'ttl_seconds'];
export const MAX_SUBJECT_LENGTH = 256;
export const MAX_TTL_SECONDS = 3600;
export const DEFAULT_TTL_SECONDS = 900;
/** Viewer sessions read one company as its owner would; nothing else can be granted. */
const GRANTABLE_ROLES = ['company_owner'] as const;

/** `POST /v1/viewer-tokens`, validated. */
export interface ViewerTokenRequest {
  companyId: string;
  subject: string;
  roles: ['company_owner'];
  filters: QueryParams;
  permissions: Permission[];
  ttlSeconds: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isParamValue(value: unknown): value is string | string[] {
  return (
    typeof value === 'string' ||
    (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

/** A list of allowed strings (default when absent); every bad item is named by its index. */
function parseList<T extends string>(
  name: string,
  raw: unknown,
  allowed: readonly T[],
  fallback: T[],
  errors: FieldProblem[],
): T[] {
  if (raw === undefined) return fallback;
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push({
      path: name,
      message: `${name} must be a non-empty array of ${allowed.join(', ')}`,
    });
    return fallback;
  }
  raw.forEach((item: unknown, index) => {
    if (!(allowed as readonly unknown[]).includes(item)) {
      errors.push({
        path: `${name}[${index}]`,
        message: `${name} may hold only ${allowed.join(', ')}`,
      });
    }
  });
  return allowed.filter((value) => raw.includes(value));
}

function parseFilters(raw: unknown, errors: FieldProblem[]): QueryParams {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    errors.push({ path: 'filters', message: 'filters must be an object of filter parameters' });
    return {};
  }
  const params: QueryParams = {};
  for (const [key, value] of Object.entries(raw)) {
    if (isParamValue(value)) params[key] = value;
    else
      errors.push({
        path: `filters.${key}`,
        message: 'filter values are strings or arrays of strings',
      });
  }
  const parsed = parseFilterSet(params);
  if (!parsed.ok) {
    errors.push(...parsed.errors.map((error) => ({ ...error, path: `filters.${error.path}` })));
  }
  return params;
}

/**
 * The body of `POST /v1/viewer-tokens`: `{company_id, subject, roles?, filters?,
 * permissions?, ttl_seconds?}`. Unknown fields are rejected; every problem is named by path.
 */
export function parseViewerTokenRequest(body: unknown): Parsed<ViewerTokenRequest> {
  if (!isObject(body)) {
    return { ok: false, errors: [{ path: '', message: 'the body must be a JSON object' }] };
  }
  const errors: FieldProblem[] = unknownFieldProblems(body, BODY_FIELDS);

  const companyId = body.company_id;
  if (typeof companyId !== 'string' || !COMPANY_ID_PATTERN.test(companyId)) {
    errors.push({
      path: 'company_id',
      message: 'company_id is required: 1-64 characters [A-Za-z0-9._-]',
    });
  }
  const subject = body.subject;
  if (typeof subject !== 'string' || subject.length < 1 || subject.length > MAX_SUBJECT_LENGTH) {
    errors.push({
      path: 'subject',
      message: `subject is required: a string of 1 to ${MAX_SUBJECT_LENGTH} characters`,
    });
  }
  parseList('roles', body.roles, GRANTABLE_ROLES, ['company_owner'], errors);
  const permissions = parseList('permissions', body.permissions, PERMISSIONS, ['view'], errors);
  const filters = parseFilters(body.filters, errors);
  const ttl = body.ttl_seconds ?? DEFAULT_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    errors.push({
      path: 'ttl_seconds',
      message: `ttl_seconds must be an integer from 1 to ${MAX_TTL_SECONDS}`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      companyId: companyId as string,
      subject: subject as string,
      roles: ['company_owner'],
      filters,
      permissions,
      ttlSeconds: ttl as number,
    },
  };
}

/** `POST /v1/viewer-sessions` body: `{token}`; the token itself is judged by the exchange. */
export function parseExchangeRequest(body: unknown): Parsed<string> {
  if (!isObject(body)) {
    return { ok: false, errors: [{ path: '', message: 'the body must be a JSON object' }] };
  }
  const errors: FieldProblem[] = unknownFieldProblems(body, ['token']);
  if (typeof body.token !== 'string' || body.token === '') {
    errors.push({ path: 'token', message: 'token is required: the viewer token to exchange' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: body.token as string };
}
