import { ProblemException } from '@auditlog/platform';

export const ROLES = ['company_owner', 'installation_admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  subject: string;
  /** The caller's own company; absent only for installation admins. */
  companyId?: string;
  roles: Role[];
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
