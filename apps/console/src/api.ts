/**
 * The one API client of the console: every request to the query API (same origin) and the
 * export API (origin from /console/config.json) goes through here, with the bearer token
 * and, for installation admins, the chosen company. Errors become `Problem`s carrying the
 * problem+json title, detail and field errors, so every view can show them.
 */
import type {
  AdminCompanies,
  AuditEvent,
  Catalog,
  EventPage,
  ExportFormat,
  ExportList,
  ExportView,
  FacetField,
  Facets,
  Histogram,
  ProblemBody,
  SessionInfo,
  VerifyAnswer,
  ViewerSession,
} from './api-types';

/** Ordered query parameters; a name may repeat (repeated values are OR-ed by the API). */
export type Params = ReadonlyArray<readonly [string, string]>;

export class Problem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: ReadonlyArray<{ path: string; message: string }>;

  constructor(status: number, body: ProblemBody) {
    super(body.detail ?? body.title ?? `HTTP ${status}`);
    this.status = status;
    this.type = body.type ?? 'about:blank';
    this.title = body.title ?? (status === 0 ? 'Network error' : `Request failed (${status})`);
    this.detail = body.detail ?? '';
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

/** Any thrown value as a Problem, for display. */
export function asProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Problem(0, { title: 'Something went wrong', detail: message });
}

interface ClientState {
  token: string | null;
  /** Installation admins: the company every request reads. */
  companyId: string | null;
  /** Origin of the export API; "" = same origin. */
  exportUrl: string;
}

const state: ClientState = { token: null, companyId: null, exportUrl: '' };
let onUnauthorized: ((problem: Problem) => void) | null = null;

/** Called when the API answers 401 to an authenticated request (expired or revoked). */
export function setUnauthorizedHandler(handler: ((problem: Problem) => void) | null): void {
  onUnauthorized = handler;
}

export function setToken(token: string | null): void {
  state.token = token;
}

export function setCompany(companyId: string | null): void {
  state.companyId = companyId;
}

export function setExportUrl(url: string): void {
  state.exportUrl = url.replace(/\/+$/, '');
}

function withCompany(params: Params): Params {
  if (!state.companyId || params.some(([name]) => name === 'company_id')) return params;
  return [...params, ['company_id', state.companyId]];
}

function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [name, value] of params) search.append(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function problemOf(response: Response): Promise<Problem> {
  let body: ProblemBody = {};
  try {
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object') body = parsed;
  } catch {
    body = {};
  }
  if (!body.title) body = { ...body, title: response.statusText || `HTTP ${response.status}` };
  return new Problem(response.status, body);
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** Send no Authorization header (viewer-session exchange, config). */
  anonymous?: boolean;
  signal?: AbortSignal;
  /** The export API instead of the query API. */
  exportApi?: boolean;
}

async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!options.anonymous && state.token) headers.authorization = `Bearer ${state.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const base = options.exportApi ? state.exportUrl : '';
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new Problem(0, {
      title: 'Network error',
      detail: `Could not reach ${base || 'the query API'}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (problem.status === 401 && !options.anonymous && state.token) onUnauthorized?.(problem);
    throw problem;
  }
  return response;
}

async function json<T>(path: string, options?: RequestOptions): Promise<T> {
  const response = await send(path, options);
  return (await response.json()) as T;
}

/** True when the request was aborted because a newer one replaced it. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export const api = {
  /** `GET /console/config.json`; `{exportUrl: ""}` when the file is not served. */
  async config(): Promise<{ exportUrl: string }> {
    try {
      const response = await fetch('/console/config.json', { cache: 'no-store' });
      if (!response.ok) return { exportUrl: '' };
      const body = (await response.json()) as { exportUrl?: unknown };
      return { exportUrl: typeof body.exportUrl === 'string' ? body.exportUrl : '' };
    } catch {
      return { exportUrl: '' };
    }
  },

  exchangeViewerToken(token: string): Promise<ViewerSession> {
    return json('/v1/viewer-sessions', { method: 'POST', body: { token }, anonymous: true });
  },

  session(signal?: AbortSignal): Promise<SessionInfo> {
    return json('/v1/session', { signal });
  },

  events(params: Params, signal?: AbortSignal): Promise<EventPage> {
    return json(`/v1/events${queryString(withCompany(params))}`, { signal });
  },

  event(id: string, signal?: AbortSignal): Promise<AuditEvent> {
    return json(`/v1/events/${encodeURIComponent(id)}${queryString(withCompany([]))}`, {
      signal,
    });
  },

  histogram(params: Params, signal?: AbortSignal): Promise<Histogram> {
    return json(`/v1/events/histogram${queryString(withCompany(params))}`, { signal });
  },

  facets(field: FacetField, size: number, params: Params, signal?: AbortSignal): Promise<Facets> {
    const all: Params = [['field', field], ['size', String(size)], ...params];
    return json(`/v1/events/facets${queryString(withCompany(all))}`, { signal });
  },

  catalog(signal?: AbortSignal): Promise<Catalog> {
    return json(`/v1/catalog${queryString(withCompany([]))}`, { signal });
  },

  verifyIntegrity(from: string, to: string, signal?: AbortSignal): Promise<VerifyAnswer> {
    const params: Params = [
      ['from', from],
      ['to', to],
    ];
    return json(`/v1/integrity/verify${queryString(withCompany(params))}`, { signal });
  },

  adminCompanies(signal?: AbortSignal): Promise<AdminCompanies> {
    return json('/v1/admin/companies', { signal });
  },

  /** `GET /v1/exports/stream`: the whole file, fetched with the bearer header. */
  async streamExport(
    format: ExportFormat,
    params: Params,
  ): Promise<{ blob: Blob; filename: string | null }> {
    const all: Params = [['format', format], ...params];
    const response = await send(`/v1/exports/stream${queryString(withCompany(all))}`, {
      exportApi: true,
    });
    return { blob: await response.blob(), filename: filenameOf(response) };
  },

  createExport(
    name: string,
    format: ExportFormat,
    filters: Record<string, string | string[]>,
  ): Promise<{ id: string; status: 'queued' }> {
    const body: Record<string, unknown> = { name, format, filters };
    if (state.companyId) body.company_id = state.companyId;
    return json('/v1/exports', { method: 'POST', body, exportApi: true });
  },

  exports(signal?: AbortSignal): Promise<ExportList> {
    return json(`/v1/exports${queryString(withCompany([]))}`, { exportApi: true, signal });
  },

  exportJob(id: string, signal?: AbortSignal): Promise<ExportView> {
    return json(`/v1/exports/${encodeURIComponent(id)}${queryString(withCompany([]))}`, {
      exportApi: true,
      signal,
    });
  },

  async downloadExport(id: string): Promise<{ blob: Blob; filename: string | null }> {
    const path = `/v1/exports/${encodeURIComponent(id)}/download${queryString(withCompany([]))}`;
    const response = await send(path, { exportApi: true });
    return { blob: await response.blob(), filename: filenameOf(response) };
  },

  deleteExport(id: string): Promise<ExportView> {
    return json(`/v1/exports/${encodeURIComponent(id)}${queryString(withCompany([]))}`, {
      method: 'DELETE',
      exportApi: true,
    });
  },
};

function filenameOf(response: Response): string | null {
  const header = response.headers.get('content-disposition') ?? '';
  const [, name] = /filename="([^"]+)"/.exec(header) ?? /filename=([^;]+)/.exec(header) ?? [];
  return name === undefined ? null : name.trim();
}

/** Saves a fetched file through an object URL and a temporary `<a download>`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
