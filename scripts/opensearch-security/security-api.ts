import type { Client } from '@opensearch-project/opensearch';
import { mergedMapping, type RoleMapping, type SecurityConfig } from './security-config';

const API = '/_plugins/_security/api';

export interface ApplianceUser {
  name: string;
  password: string;
}

export interface ApplyResult {
  roles: string[];
  mappings: string[];
  users: string[];
}

type Log = (line: string) => void;

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}

function describe(error: unknown): string {
  const meta = (error as { meta?: { statusCode?: number; body?: unknown } }).meta;
  return meta ? `HTTP ${meta.statusCode}: ${JSON.stringify(meta.body)}` : String(error);
}

async function call(client: Client, method: string, path: string, body?: unknown) {
  try {
    const response = await client.transport.request({ method, path, body: body as never });
    return response.body as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${method} ${path} failed: ${describe(error)}`, { cause: error });
  }
}

async function existingMapping(client: Client, role: string): Promise<RoleMapping | undefined> {
  try {
    const response = await client.transport.request({
      method: 'GET',
      path: `${API}/rolesmapping/${encodeURIComponent(role)}`,
    });
    return (response.body as Record<string, RoleMapping>)[role];
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw new Error(`GET rolesmapping/${role} failed: ${describe(error)}`, { cause: error });
  }
}

/**
 * Applies roles, role mappings and (optionally) the appliance's internal users through the
 * security REST API. Idempotent: every call is a create-or-replace. Needs a caller the
 * security plugin lets use its REST API (an admin certificate, or a user with all_access when
 * `plugins.security.restapi.roles_enabled` lists it).
 */
export async function applySecurityConfig(
  client: Client,
  config: SecurityConfig,
  users: ApplianceUser[] = [],
  log: Log = () => undefined,
): Promise<ApplyResult> {
  for (const [name, role] of Object.entries(config.roles)) {
    await call(client, 'PUT', `${API}/roles/${encodeURIComponent(name)}`, role);
    log(`security: role ${name} applied`);
  }
  for (const user of users) {
    await call(client, 'PUT', `${API}/internalusers/${encodeURIComponent(user.name)}`, {
      password: user.password,
      description: 'auditlog appliance service account',
    });
    log(`security: internal user ${user.name} applied`);
  }
  const ownRoles = new Set(Object.keys(config.roles));
  for (const [role, wanted] of Object.entries(config.rolesMapping)) {
    const mapping = mergedMapping(role, wanted, await existingMapping(client, role), ownRoles);
    await call(client, 'PUT', `${API}/rolesmapping/${encodeURIComponent(role)}`, mapping);
    log(`security: role mapping ${role} applied`);
  }
  return {
    roles: Object.keys(config.roles),
    mappings: Object.keys(config.rolesMapping),
    users: users.map((user) => user.name),
  };
}
