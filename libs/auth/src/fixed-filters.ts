import { createHash } from 'node:crypto';
import {
  type EventFilters,
  type FilterSet,
  parseFilterSet,
  withRestriction,
} from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import type { Principal } from './principal';

export function hasFixedFilters(principal: Principal): boolean {
  return Object.keys(principal.fixedFilters ?? {}).length > 0;
}

/**
 * The principal's fixed filter sets (none for JWTs). Every read of events ANDs them, each
 * as its own clause: pass them in `EventFilters.restrictions` (see `restrictFilters`) or,
 * for a query built by hand, through `restrictionClauses` of `@auditlog/opensearch`.
 */
export function principalRestrictions(principal: Principal): FilterSet[] {
  if (!hasFixedFilters(principal)) return [];
  const parsed = parseFilterSet(principal.fixedFilters ?? {});
  if (!parsed.ok) {
    // Signed by us and checked when minted: only a change of the filter rules gets here.
    throw new ProblemException(
      403,
      'forbidden',
      'Forbidden',
      'The fixed filters of this session are no longer valid; ask the host application for a new link.',
    );
  }
  return [parsed.set];
}

/** The filters of a read with the principal's fixed filters ANDed: the one way to apply them. */
export function restrictFilters(principal: Principal, filters: EventFilters): EventFilters {
  return principalRestrictions(principal).reduce(withRestriction, filters);
}

/**
 * A stable digest of the principal's fixed filters (undefined without any): export
 * records carry it, so a restricted session sees only exports made under the same filters.
 */
export function fixedFiltersDigest(principal: Principal): string | undefined {
  const [set] = principalRestrictions(principal);
  if (!set) return undefined;
  const canonical = Object.keys(set)
    .sort()
    .map((key) => {
      const value = set[key as keyof FilterSet];
      if (Array.isArray(value)) return [key, [...value].sort()];
      const context = value ?? {};
      return [
        key,
        Object.keys(context)
          .sort()
          .map((name) => [name, [...(context[name] ?? [])].sort()]),
      ];
    });
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** 403 for a principal with fixed filters: for reads that cover a whole company. */
export function requireUnrestricted(principal: Principal, what: string): void {
  if (!hasFixedFilters(principal)) return;
  throw new ProblemException(
    403,
    'forbidden',
    'Forbidden',
    `${what} covers a whole company; this session is limited by fixed filters.`,
  );
}
