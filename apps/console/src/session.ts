/**
 * Sign-in (ADR 0080): a viewer token from the URL fragment is removed from the address bar
 * at once and exchanged for a session; the session (or a pasted owner/admin JWT) is kept in
 * memory and in this tab's sessionStorage, and sent as a bearer header.
 */
import { api, Problem, setToken } from './api';
import type { SessionInfo } from './api-types';

const STORAGE_KEY = 'auditlog.console.session';

export interface StoredSession {
  token: string;
  via: 'viewer' | 'jwt';
  expiresAt: string | null;
}

function readStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof parsed.token !== 'string' || !parsed.token) return null;
    if (parsed.expiresAt && Date.parse(parsed.expiresAt) <= Date.now()) return null;
    return {
      token: parsed.token,
      via: parsed.via === 'viewer' ? 'viewer' : 'jwt',
      expiresAt: parsed.expiresAt ?? null,
    };
  } catch {
    return null;
  }
}

export function storeSession(session: StoredSession): void {
  setToken(session.token);
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage may be blocked (third-party iframe): the session stays in memory only.
  }
}

export function clearSession(): void {
  setToken(null);
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

/** Removes `viewer_token=…` from the fragment at once and returns it. */
export function takeViewerTokenFromUrl(): string | null {
  const hash = location.hash.replace(/^#/, '');
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  const token = params.get('viewer_token');
  if (!token) return null;
  params.delete('viewer_token');
  const rest = params.toString();
  history.replaceState(
    history.state,
    '',
    `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`,
  );
  return token;
}

export async function exchangeViewerToken(token: string): Promise<StoredSession> {
  const answer = await api.exchangeViewerToken(token);
  const session: StoredSession = {
    token: answer.session_token,
    via: 'viewer',
    expiresAt: answer.expires_at,
  };
  storeSession(session);
  return session;
}

/** The session to start with: a viewer token in the URL, else this tab's stored session. */
export async function initialSession(): Promise<StoredSession | null> {
  const viewerToken = takeViewerTokenFromUrl();
  if (viewerToken) return exchangeViewerToken(viewerToken);
  const stored = readStored();
  if (stored) setToken(stored.token);
  return stored;
}

interface JwtClaims {
  sub?: unknown;
  company_id?: unknown;
  roles?: unknown;
  exp?: unknown;
}

function decodeClaims(token: string): JwtClaims {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const text = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Who the caller is, from `GET /v1/session`. Where that route is not deployed (404), the
 * unverified claims of the JWT are shown instead; the API still decides every read.
 */
export async function whoAmI(session: StoredSession): Promise<SessionInfo> {
  try {
    return await api.session();
  } catch (error) {
    if (!(error instanceof Problem) || error.status !== 404) throw error;
    const claims = decodeClaims(session.token);
    const roles = Array.isArray(claims.roles)
      ? claims.roles.filter((role): role is string => typeof role === 'string')
      : [];
    return {
      subject: typeof claims.sub === 'string' ? claims.sub : 'unknown',
      company_id: typeof claims.company_id === 'string' ? claims.company_id : null,
      roles,
      permissions: ['view', 'export'],
      filters: {},
      expires_at:
        typeof claims.exp === 'number'
          ? new Date(claims.exp * 1000).toISOString()
          : session.expiresAt,
      via: session.via,
    };
  }
}

export function isAdmin(info: SessionInfo): boolean {
  return info.roles.includes('installation_admin');
}
