/**
 * `npm start`: provisions local services when OPENSEARCH_URL / REDIS_URL are unset, runs
 * every app, the export worker and the maintenance worker from the production build, loads demo events and prints how to use them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { ensureServices } from '../services';
import { DEMO_CATALOG, demoEvents } from './demo-events';
import { demoKeyLine, demoSecrets } from './demo-secrets';

const env = process.env;
const APPS = [
  { name: 'ingest', port: Number(env.INGEST_PORT ?? 3001) },
  { name: 'query', port: Number(env.QUERY_PORT ?? 3002) },
  { name: 'export', port: Number(env.EXPORT_PORT ?? 3003) },
] as const;
const MAINTENANCE_HEALTH_PORT = Number(env.MAINTENANCE_HEALTH_PORT ?? 3004);
const DEMO_COMPANY = 'demo-company';
const REPO_ROOT = join(__dirname, '..', '..');

const children: ChildProcess[] = [];

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with status ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000}s`);
}

function shutdown(code: number): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5_000).unref();
  if (children.every((child) => child.exitCode !== null)) process.exit(code);
}

const ingestUrl = `http://127.0.0.1:${APPS[0].port}`;
const queryUrl = `http://127.0.0.1:${APPS[1].port}`;
const exportUrl = `http://127.0.0.1:${APPS[2].port}`;
const maintenanceHealthUrl = `http://127.0.0.1:${MAINTENANCE_HEALTH_PORT}/health/ready`;

/** A one-time console link for the demo owner (ADR 0080: viewer tokens). */
async function consoleLink(viewerKey: string): Promise<string> {
  const response = await fetch(`${queryUrl}/v1/viewer-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${viewerKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      company_id: DEMO_COMPANY,
      subject: 'demo-owner',
      permissions: ['view', 'export'],
      ttl_seconds: 3600,
    }),
  });
  if (response.status !== 201)
    throw new Error(`viewer token refused: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { url: string }).url;
}

async function main(): Promise<void> {
  const services = await ensureServices({ log: (line) => log(`services: ${line}`) });
  const secrets = demoSecrets();
  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    OPENSEARCH_URL: services.opensearchUrl,
    REDIS_URL: services.redisUrl,
    EXPORT_DIR: env.EXPORT_DIR ?? join(process.cwd(), '.exports'),
    CONSOLE_DIR: env.CONSOLE_DIR ?? join(REPO_ROOT, 'dist', 'console'),
  };
  const generated: string[] = [];
  if (!env.INGEST_API_KEYS && !env.INGEST_API_KEYS_FILE) {
    appEnv.INGEST_API_KEYS = demoKeyLine(secrets.ingestKey);
    generated.push('INGEST_API_KEYS');
  }
  if (!env.AUTH_JWT_SECRET && !env.AUTH_JWT_PUBLIC_KEY && !env.AUTH_JWKS_URL) {
    appEnv.AUTH_JWT_SECRET = secrets.jwtSecret;
    generated.push('AUTH_JWT_SECRET');
  }
  if (!env.VIEWER_TOKEN_KEYS && !env.VIEWER_TOKEN_KEYS_FILE) {
    appEnv.VIEWER_TOKEN_KEYS = demoKeyLine(secrets.viewerKey, 'demo-console');
    generated.push('VIEWER_TOKEN_KEYS');
  }
  if (!env.VIEWER_SESSION_SECRET) {
    appEnv.VIEWER_SESSION_SECRET = secrets.viewerSessionSecret;
    generated.push('VIEWER_SESSION_SECRET');
  }
  // The console is served by the query app; the export API is another origin here.
  appEnv.CONSOLE_EXPORT_URL ??= exportUrl;
  appEnv.OPENAPI_DOCS_ENABLED ??= 'true';
  appEnv.CORS_ALLOWED_ORIGINS ??= `${queryUrl},${queryUrl.replace('127.0.0.1', 'localhost')}`;

  const run = (
    name: string,
    main: string[],
    extraEnv: NodeJS.ProcessEnv,
    nodeArgs: readonly string[] = [],
  ): ChildProcess => {
    const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'dist', ...main)], {
      env: { ...appEnv, ...extraEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      log(`${name} stopped (${signal ?? code})`);
      shutdown(code ?? 1);
    });
    children.push(child);
    return child;
  };
  const apps = APPS.map((app) => ({
    app,
    child: run(app.name, ['apps', app.name, 'src', 'main.js'], { PORT: String(app.port) }),
  }));
  // The export worker has no HTTP port; it logs "export worker ready".
  // Its heap is bounded as in the container entrypoint (docs/adr/0151-flat-export-worker-memory.md).
  run('export-worker', ['apps', 'export', 'src', 'worker', 'main.js'], {}, [
    '--max-old-space-size=256',
  ]);
  // The maintenance worker (digests, retention sweep, export expiry) has no API, only an
  // internal health port.
  const maintenance = run('maintenance', ['apps', 'maintenance', 'src', 'main.js'], {
    MAINTENANCE_HEALTH_PORT: String(MAINTENANCE_HEALTH_PORT),
  });
  await Promise.all([
    ...apps.map(({ app, child }) =>
      waitUntilReady(`http://127.0.0.1:${app.port}/health/ready`, child),
    ),
    waitUntilReady(maintenanceHealthUrl, maintenance),
  ]);

  if (generated.includes('INGEST_API_KEYS')) {
    for (const event of [...demoEvents(DEMO_COMPANY, 40), ...demoEvents('other-company', 10)]) {
      const response = await fetch(`${ingestUrl}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secrets.ingestKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(event),
      });
      if (response.status >= 300)
        throw new Error(`demo event rejected: ${response.status} ${await response.text()}`);
    }
    for (const { action, ...entry } of DEMO_CATALOG) {
      const response = await fetch(`${ingestUrl}/v1/catalog/actions/${action}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${secrets.ingestKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(entry),
      });
      if (response.status !== 200)
        throw new Error(`demo catalog entry rejected: ${response.status} ${await response.text()}`);
    }
  }

  const link = generated.includes('VIEWER_TOKEN_KEYS')
    ? await consoleLink(secrets.viewerKey)
    : undefined;

  log('');
  log('Audit Log Appliance is running');
  log(`  console ${queryUrl}/console/`);
  log(`  ingest  ${ingestUrl}`);
  log(`  query   ${queryUrl}`);
  log(`  export  ${exportUrl}   (+ export worker)`);
  log(`  maintenance worker (digests, retention, export expiry): ${maintenanceHealthUrl}`);
  log(`  opensearch ${services.opensearchUrl}   redis ${services.redisUrl}`);
  if (generated.length > 0)
    log(`  demo secrets generated for: ${generated.join(', ')} (kept in .auditlog-demo.json)`);
  if (generated.includes('INGEST_API_KEYS')) {
    log('');
    log(`Demo ingest key: ${secrets.ingestKey}`);
    log(
      `curl -sS -X POST ${ingestUrl}/v1/events -H 'Authorization: Bearer ${secrets.ingestKey}' \\`,
    );
    log(`  -H 'Content-Type: application/json' \\`);
    log(`  -d '{"company_id":"${DEMO_COMPANY}","action":"flow.created","actor":{"id":"u-alice"}}'`);
  }
  if (generated.includes('AUTH_JWT_SECRET')) {
    const token = jwt.sign(
      { sub: 'demo-owner', company_id: DEMO_COMPANY, roles: ['company_owner'] },
      secrets.jwtSecret,
      {
        algorithm: 'HS256',
        expiresIn: '7d',
      },
    );
    log('');
    log(`Demo company-owner token (${DEMO_COMPANY}, valid 7 days): ${token}`);
    log(`curl -sS '${queryUrl}/v1/events?limit=5' -H 'Authorization: Bearer ${token}'`);
  }
  if (link) {
    log('');
    log(`Open the console, signed in as the demo owner (one-time link, valid 1 hour):`);
    log(`  ${link}`);
    log('  (a new link: restart `npm start`; or paste the owner token at the sign-in page)');
  }
  log('');
  log('Press Ctrl+C to stop the apps (services keep running; `npm run services:down` stops them).');
}

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  shutdown(1);
});
