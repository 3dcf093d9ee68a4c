import * as path from 'node:path';
import { loadSecurityConfig, mergedMapping, withIndexPrefix } from './security-config';

const DIR = path.resolve(__dirname, '../../deploy/opensearch/security');

describe('security config files', () => {
  const config = loadSecurityConfig(DIR);

  it('maps only roles that exist (its own or built in)', () => {
    const builtIn = ['all_access', 'kibana_server'];
    for (const role of Object.keys(config.rolesMapping)) {
      expect([...Object.keys(config.roles), ...builtIn]).toContain(role);
    }
  });

  it('grants the ingest, catalog and SIEM roles no delete, update or admin-wide action', () => {
    for (const name of ['auditlog_ingest', 'auditlog_catalog', 'auditlog_siem_reader']) {
      const role = config.roles[name];
      if (role === undefined) throw new Error(`role ${name} is missing`);
      const actions = [
        ...(role.cluster_permissions ?? []),
        ...(role.index_permissions ?? []).flatMap((p) => p.allowed_actions),
      ];
      expect(
        actions.filter(
          (a) =>
            /delete|update|^\*$|^crud$|^write$|^indices_all$|^indices:(admin|data\/write)\/\*$/.test(
              a,
            ) && !/point_in_time/.test(a),
        ),
      ).toEqual([]);
    }
    expect(
      config.roles.auditlog_ingest?.index_permissions?.flatMap((p) => p.allowed_actions),
    ).not.toContain('read');
  });

  it('rewrites index patterns for another prefix and leaves others alone', () => {
    const roles = withIndexPrefix(
      {
        r: {
          index_permissions: [
            { index_patterns: ['auditlog-events-*', 'other-*'], allowed_actions: ['read'] },
          ],
        },
      },
      'acme-audit',
    );
    expect(roles.r?.index_permissions?.[0]?.index_patterns).toEqual([
      'acme-audit-events-*',
      'other-*',
    ]);
  });
});

describe('mergedMapping', () => {
  const own = new Set(['auditlog_reader']);

  it('replaces the mapping of a role the appliance owns', () => {
    expect(
      mergedMapping(
        'auditlog_reader',
        { users: ['new'] },
        { users: ['old'], backend_roles: ['x'] },
        own,
      ),
    ).toEqual({ description: undefined, users: ['new'] });
  });

  it('only extends the mapping of a role it does not own, keeping existing admins', () => {
    expect(
      mergedMapping(
        'all_access',
        { users: ['auditlog-admin'], backend_roles: ['auditlog_admin'] },
        { users: ['admin'], backend_roles: ['admin'], description: 'built in' },
        own,
      ),
    ).toEqual({
      description: 'built in',
      users: ['admin', 'auditlog-admin'],
      backend_roles: ['admin', 'auditlog_admin'],
      hosts: [],
    });
  });
});
