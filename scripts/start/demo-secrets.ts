import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoSecrets {
  ingestKey: string;
  jwtSecret: string;
}

const FILE = join(process.cwd(), '.auditlog-demo.json');

/** Demo secrets are kept across restarts (in a git-ignored file) so printed curl lines keep working. */
export function demoSecrets(): DemoSecrets {
  if (existsSync(FILE)) return JSON.parse(readFileSync(FILE, 'utf8')) as DemoSecrets;
  const secrets = {
    ingestKey: randomBytes(32).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(FILE, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function demoKeyLine(secret: string): string {
  return `demo:${createHash('sha256').update(secret).digest('hex')}:*`;
}
