import * as path from 'node:path';
import { createOpenSearchClient } from '@auditlog/opensearch';
import { type ApplianceUser, applySecurityConfig } from './security-api';
import { APPLIANCE_USERS, DEFAULT_INDEX_PREFIX, loadSecurityConfig } from './security-config';

const USAGE = `usage: node dist/scripts/opensearch-security/cli.js apply [--dir <dir>]

Applies deploy/opensearch/security/{roles,roles_mapping}.yml through the OpenSearch security
REST API, with admin credentials from OPENSEARCH_URL, OPENSEARCH_USERNAME/PASSWORD or
OPENSEARCH_CERT_FILE/KEY_FILE, OPENSEARCH_CA_FILE. Index patterns follow
OPENSEARCH_INDEX_PREFIX. When OPENSEARCH_{INGEST,QUERY,EXPORT,SIEM,ADMIN,DASHBOARDS}_USER_PASSWORD are set,
the internal users auditlog-{ingest,query,export,siem,admin,dashboards} are created or
updated too.`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function applianceUsers(): ApplianceUser[] {
  return APPLIANCE_USERS.flatMap(({ name, passwordVariable }) => {
    const password = process.env[passwordVariable];
    return password ? [{ name, password }] : [];
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  const dirFlag = flags.indexOf('--dir');
  const dir =
    dirFlag >= 0 ? flags[dirFlag + 1] : path.join(process.cwd(), 'deploy/opensearch/security');
  if (command !== 'apply' || !dir || flags.length > (dirFlag >= 0 ? 2 : 0)) {
    console.error(USAGE);
    return 2;
  }
  const prefix = process.env.OPENSEARCH_INDEX_PREFIX || DEFAULT_INDEX_PREFIX;
  const client = createOpenSearchClient({
    nodes: required('OPENSEARCH_URL').split(','),
    username: process.env.OPENSEARCH_USERNAME,
    password: process.env.OPENSEARCH_PASSWORD,
    caFile: process.env.OPENSEARCH_CA_FILE,
    certFile: process.env.OPENSEARCH_CERT_FILE,
    keyFile: process.env.OPENSEARCH_KEY_FILE,
    tlsInsecure: process.env.OPENSEARCH_TLS_INSECURE === 'true',
  });
  try {
    const result = await applySecurityConfig(
      client,
      loadSecurityConfig(dir, prefix),
      applianceUsers(),
      (line) => console.log(line),
    );
    console.log(
      `security: ${result.roles.length} roles, ${result.mappings.length} mappings, ${result.users.length} users applied`,
    );
    return 0;
  } finally {
    await client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`security: ${(error as Error).message}`);
    process.exit(1);
  },
);
