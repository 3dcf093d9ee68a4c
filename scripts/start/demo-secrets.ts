import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoSecrets {
  ingestKey: string;
  jwtSecret: string;
  /** Mints the viewer token of the printed console link (VIEWER_TOKEN_KEYS). */
  viewerKey: string;
  viewerSessionSecret: string;
}

const newSecret = (): string => randomBytes(32).toString('base64url');

const FILE = join(process.cwd(), '.auditlog-demo.json');

/** Demo secrets are kept across restarts (in a git-ignored file) so printed curl lines keep working. */
export function demoSecrets(): DemoSecrets {
  const kept = existsSync(FILE)
    ? (JSON.parse(readFileSync(FILE, 'utf8')) as Partial<DemoSecrets>)
    : {};
  // Files from older releases lack the newer secrets: add them, keep the rest.
  const secrets: DemoSecrets = {
    ingestKey: kept.ingestKey ?? newSecret(),
    jwtSecret: kept.jwtSecret ?? newSecret(),
    viewerKey: kept.viewerKey ?? newSecret(),
    viewerSessionSecret: kept.viewerSessionSecret ?? newSecret(),
  };
  if (Object.keys(kept).length < Object.keys(secrets).length) {
    writeFileSync(FILE, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

export function demoKeyLine(secret: string, id = 'demo'): string {
  return `${id}:${createHash('sha256').update(secret).digest('hex')}:*`;
}
