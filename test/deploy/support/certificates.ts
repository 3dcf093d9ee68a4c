import * as fs from 'node:fs';
import * as path from 'node:path';
import { failureDetails, runCommand } from '../../../scripts/services/processes';

export interface TestCertificates {
  ca: string;
  nodeCert: string;
  nodeKey: string;
  adminCert: string;
  adminKey: string;
  /** Distinguished names as the security plugin writes them. */
  adminDn: string;
  nodeDn: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const result = await runCommand('openssl', args, { cwd: dir, timeoutMs: 30_000 });
  if (result.code !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed:\n${failureDetails(result)}`);
  }
}

async function issue(dir: string, name: string, extensions?: string): Promise<void> {
  await openssl(dir, ['genrsa', '-out', `${name}-rsa.pem`, '2048']);
  // The security plugin reads PKCS#8 keys only.
  await openssl(dir, [
    'pkcs8',
    '-topk8',
    '-nocrypt',
    '-in',
    `${name}-rsa.pem`,
    '-out',
    `${name}-key.pem`,
  ]);
  await openssl(dir, [
    'req',
    '-new',
    '-key',
    `${name}-key.pem`,
    '-subj',
    `/O=auditlog-test/CN=${name}`,
    '-out',
    `${name}.csr`,
  ]);
  const extArgs = extensions ? ['-extfile', `${name}.ext`] : [];
  if (extensions) fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions}\n`);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-sha256',
    '-days',
    '2',
    ...extArgs,
    '-out',
    `${name}.pem`,
  ]);
}

/** A throwaway CA with a node certificate (for 127.0.0.1) and an admin client certificate. */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  fs.mkdirSync(dir, { recursive: true });
  await openssl(dir, ['genrsa', '-out', 'ca-key.pem', '2048']);
  await openssl(dir, [
    'req',
    '-new',
    '-x509',
    '-sha256',
    '-key',
    'ca-key.pem',
    '-days',
    '2',
    '-subj',
    '/O=auditlog-test/CN=auditlog-test-ca',
    '-out',
    'ca.pem',
  ]);
  await issue(dir, 'node', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  await issue(dir, 'admin');
  const file = (name: string): string => path.join(dir, name);
  return {
    ca: file('ca.pem'),
    nodeCert: file('node.pem'),
    nodeKey: file('node-key.pem'),
    adminCert: file('admin.pem'),
    adminKey: file('admin-key.pem'),
    adminDn: 'CN=admin,O=auditlog-test',
    nodeDn: 'CN=node,O=auditlog-test',
  };
}
