import type { QueryParams } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';

export const ROLES = ['company_owner', 'installation_admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a caller may do: `view` the query API, `export` on every export route — the
 * permissions a viewer token can grant — and `tail`, the gap-free tail, which JWT
 * principals and SIEM keys hold.
 */
export const PERMISSIONS = ['view', 'export'] as const;
export type Permission = (typeof PERMISSIONS)[number] | 'tail';

export interface Principal {
  subject: string;
  /** The caller's own company; absent only for installation admins. */
  companyId?: string;
  roles: Role[];
  /**
   * `jwt`: a token of the host's identity provider; `viewer`: a viewer session;
   * `siem_key`: a SIEM reader's key (SIEM_API_KEYS), which may only read the tail.
   */
  via: 'jwt' | 'viewer' | 'siem_key';
  /** The companies a SIEM key reads. */
  siemCompanies?: '*' | string[];
  /** JWT principals hold both; viewer sessions what their token granted. */
  permissions: Permission[];
  /** A viewer session's fixed filters (query parameters), ANDed to every read. */
  fixedFilters?: QueryParams;
  /** The viewer token (grant) a viewer session came from, for the audit trail. */
  viewerTokenId?: string;
  /** When the bearer token expires (ISO 8601). */
  expiresAt?: string;
}

export function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('installation_admin');
}

/**
 * The one place that decides which company a request reads. Owners always read their
 * own company; admins must name one.
 */
export function resolveCompany(principal: Principal, requested: string | undefined): string {
  if (isAdmin(principal)) {
    if (requested) return requested;
    if (principal.companyId) return principal.companyId;
    throw ProblemException.badRequest(
      'Installation admins choose a company with the company_id parameter.',
      [{ path: 'company_id', message: 'company_id is required for installation admins' }],
    );
  }
  const own = principal.companyId as string;
  if (requested !== undefined && requested !== own) {
    throw new ProblemException(
      403,
      'forbidden',
      'Forbidden',
      'Company owners can only read their own company.',
    );
  }
  return own;
}

/**
 * What `audit_log.viewed` / `audit_log.exported` add for a viewer session: how the reader
 * signed in, with which viewer token, and the fixed filters it read under.
 */
export function viewerDetails(principal: Principal): Record<string, unknown> {
  if (principal.via !== 'viewer') return {};
  return {
    via: 'viewer_token',
    viewer_token_id: principal.viewerTokenId,
    ...(principal.fixedFilters ? { fixed_filters: principal.fixedFilters } : {}),
  };
}
