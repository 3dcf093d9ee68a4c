import { createHmac, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type { QueryParams } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import { type Permission, PERMISSIONS, type Principal } from './principal';
import { hmacKey } from './verification-key';

/** `typ` (header and claim) of viewer session tokens: how the JWT guard tells them apart. */
export const VIEWER_SESSION_TYP = 'auditlog-viewer';

/** What a viewer token grants; a viewer session carries the same, signed. */
export interface ViewerGrant {
  /** The grant's id, recorded with every read and export of its session. */
  id: string;
  companyId: string;
  subject: string;
  roles: ['company_owner'];
  permissions: Permission[];
  /** Fixed filters as query parameters (`{}`: the whole company). */
  filters: QueryParams;
  /** Whole seconds, so the session's `exp` is exactly the token's expiry. */
  expiresAt: string;
}

/**
 * The HS256 key of viewer sessions: VIEWER_SESSION_SECRET, else derived from
 * AUTH_JWT_SECRET (HMAC with a label of its own, so neither key can stand in for the other),
 * else none: viewer sessions are then off (minting and exchanging answer 503).
 */
export function viewerSessionKey(config: AppConfig): Buffer | undefined {
  if (config.viewer.sessionSecret) return Buffer.from(config.viewer.sessionSecret, 'utf8');
  if (config.auth.jwtSecret) {
    return createHmac('sha256', config.auth.jwtSecret)
      .update('auditlog/viewer-session/v1')
      .digest();
  }
  return undefined;
}

/** Reads the (unverified) header only to route the token; the signature decides later. */
export function isViewerSessionToken(token: string): boolean {
  const [header = ''] = token.split('.');
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return (parsed as { typ?: unknown } | null)?.typ === VIEWER_SESSION_TYP;
  } catch {
    return false;
  }
}

interface SessionClaims {
  typ: string;
  sub: string;
  company_id: string;
  roles: string[];
  perms: string[];
  flt: QueryParams;
  jti: string;
  exp: number;
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    claims.typ === VIEWER_SESSION_TYP &&
    typeof claims.sub === 'string' &&
    typeof claims.company_id === 'string' &&
    claims.company_id !== '' &&
    Array.isArray(claims.roles) &&
    Array.isArray(claims.perms) &&
    typeof claims.flt === 'object' &&
    claims.flt !== null &&
    !Array.isArray(claims.flt) &&
    typeof claims.jti === 'string' &&
    typeof claims.exp === 'number'
  );
}

export function viewerSessionsOff(): ProblemException {
  return new ProblemException(
    503,
    'viewer-sessions-not-configured',
    'Viewer sessions are not configured',
    'Set VIEWER_SESSION_SECRET (or AUTH_JWT_SECRET) on every query and export replica to use viewer tokens.',
  );
}

/** Signs and verifies viewer session tokens (HS256 JWTs with `typ: auditlog-viewer`). */
@Injectable()
export class ViewerSessions {
  private readonly key?: KeyObject;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const key = viewerSessionKey(config);
    this.key = key === undefined ? undefined : hmacKey(key);
  }

  get enabled(): boolean {
    return this.key !== undefined;
  }

  sign(grant: ViewerGrant): string {
    if (!this.key) throw viewerSessionsOff();
    const claims: SessionClaims = {
      typ: VIEWER_SESSION_TYP,
      sub: grant.subject,
      company_id: grant.companyId,
      roles: grant.roles,
      perms: grant.permissions,
      flt: grant.filters,
      jti: grant.id,
      exp: Math.floor(Date.parse(grant.expiresAt) / 1000),
    };
    return jwt.sign(claims, this.key, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: VIEWER_SESSION_TYP },
    });
  }

  /** The session's principal, or undefined for a bad signature, an expired token or odd claims. */
  verify(token: string): Principal | undefined {
    if (!this.key) return undefined;
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'] });
    } catch {
      return undefined;
    }
    if (!isClaims(payload)) return undefined;
    // Viewer sessions are company owners of one company, never admins.
    if (payload.roles.length !== 1 || payload.roles[0] !== 'company_owner') return undefined;
    const permissions = PERMISSIONS.filter((permission) => payload.perms.includes(permission));
    return {
      subject: payload.sub,
      companyId: payload.company_id,
      roles: ['company_owner'],
      via: 'viewer',
      permissions,
      ...(Object.keys(payload.flt).length > 0 ? { fixedFilters: payload.flt } : {}),
      viewerTokenId: payload.jti,
      expiresAt: new Date(payload.exp * 1000).toISOString(),
    };
  }
}
