import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export interface IndexPermission {
  index_patterns: string[];
  allowed_actions: string[];
  fls?: string[];
  masked_fields?: string[];
  dls?: string;
}

export interface RoleDefinition {
  description?: string;
  cluster_permissions?: string[];
  index_permissions?: IndexPermission[];
}

export interface RoleMapping {
  description?: string;
  users?: string[];
  backend_roles?: string[];
  hosts?: string[];
}

export interface SecurityConfig {
  roles: Record<string, RoleDefinition>;
  rolesMapping: Record<string, RoleMapping>;
}

/** The prefix the committed files are written for. */
export const DEFAULT_INDEX_PREFIX = 'auditlog';

/** The internal users the setup job may create, one per process kind, with their password variable. */
export const APPLIANCE_USERS = [
  { name: 'auditlog-ingest', passwordVariable: 'OPENSEARCH_INGEST_USER_PASSWORD' },
  { name: 'auditlog-query', passwordVariable: 'OPENSEARCH_QUERY_USER_PASSWORD' },
  { name: 'auditlog-export', passwordVariable: 'OPENSEARCH_EXPORT_USER_PASSWORD' },
  { name: 'auditlog-maintenance', passwordVariable: 'OPENSEARCH_MAINTENANCE_USER_PASSWORD' },
  { name: 'auditlog-siem', passwordVariable: 'OPENSEARCH_SIEM_USER_PASSWORD' },
  { name: 'auditlog-admin', passwordVariable: 'OPENSEARCH_ADMIN_USER_PASSWORD' },
  { name: 'auditlog-dashboards', passwordVariable: 'OPENSEARCH_DASHBOARDS_USER_PASSWORD' },
] as const;

function readYamlEntries<T>(file: string, expectedType: string): Record<string, T> {
  const document = parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  if (!document || typeof document !== 'object') throw new Error(`${file} is empty`);
  const { _meta: meta, ...entries } = document as { _meta?: { type?: string } };
  if (meta?.type !== expectedType) {
    throw new Error(`${file}: _meta.type must be "${expectedType}", got "${meta?.type}"`);
  }
  return entries;
}

function rewritePattern(pattern: string, prefix: string): string {
  return pattern.startsWith(`${DEFAULT_INDEX_PREFIX}-`)
    ? `${prefix}${pattern.slice(DEFAULT_INDEX_PREFIX.length)}`
    : pattern;
}

/** Points every `auditlog-…` index pattern at the installation's index prefix. */
export function withIndexPrefix(
  roles: Record<string, RoleDefinition>,
  prefix: string,
): Record<string, RoleDefinition> {
  return Object.fromEntries(
    Object.entries(roles).map(([name, role]) => [
      name,
      {
        ...role,
        index_permissions: role.index_permissions?.map((permission) => ({
          ...permission,
          index_patterns: permission.index_patterns.map((p) => rewritePattern(p, prefix)),
        })),
      },
    ]),
  );
}

/** Reads roles.yml and roles_mapping.yml from dir, with index patterns for prefix. */
export function loadSecurityConfig(dir: string, prefix = DEFAULT_INDEX_PREFIX): SecurityConfig {
  const roles = readYamlEntries<RoleDefinition>(path.join(dir, 'roles.yml'), 'roles');
  const rolesMapping = readYamlEntries<RoleMapping>(
    path.join(dir, 'roles_mapping.yml'),
    'rolesmapping',
  );
  return { roles: withIndexPrefix(roles, prefix), rolesMapping };
}

function union(a: string[] = [], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * The mapping to store for a role. Mappings of the appliance's own roles are replaced by the
 * file (config as code); mappings of roles it does not define (such as the built-in
 * all_access) are only extended, so an existing admin never loses access.
 */
export function mergedMapping(
  role: string,
  wanted: RoleMapping,
  existing: RoleMapping | undefined,
  ownRoles: ReadonlySet<string>,
): RoleMapping {
  const { description, ...members } = wanted;
  if (ownRoles.has(role) || !existing) return { description, ...members };
  return {
    description: existing.description ?? description,
    users: union(existing.users, members.users),
    backend_roles: union(existing.backend_roles, members.backend_roles),
    hosts: union(existing.hosts, members.hosts),
  };
}
