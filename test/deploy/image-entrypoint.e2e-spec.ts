import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dropPrefix, testClient, testEnvironment, waitFor } from '@auditlog/testing';
import { findFreePort } from '../../scripts/services/ports';
import { failureDetails, runCommand } from '../../scripts/services/processes';

const ROOT = path.resolve(__dirname, '../..');
const ENTRYPOINT = path.join(ROOT, 'deploy/docker/entrypoint.sh');

// The steps of `npm run build`, which the Dockerfile's build stage runs; the layout below
// runs each of them with its output moved into the image layout.
const BUILD_STEPS = [
  'tsc -p tsconfig.build.json',
  'tsc-alias -p tsconfig.build.json',
  'vite build -c apps/console/vite.config.ts',
];

/**
 * Lays out what the image's runtime stage holds under /app (dist with the console,
 * node_modules, package.json, the security config) by running the same build the Dockerfile
 * runs.
 */
async function buildImageLayout(appDir: string): Promise<void> {
  const outDir = path.join(appDir, 'dist');
  const consoleDir = path.join(outDir, 'console');
  for (const [tool, args] of [
    ['tsc', ['-p', 'tsconfig.build.json', '--outDir', outDir]],
    ['tsc-alias', ['-p', 'tsconfig.build.json', '--outDir', outDir]],
    [
      'vite',
      ['build', '-c', 'apps/console/vite.config.ts', '--outDir', consoleDir, '--emptyOutDir'],
    ],
  ] as const) {
    const result = await runCommand(path.join(ROOT, 'node_modules/.bin', tool), [...args], {
      cwd: ROOT,
      timeoutMs: 240_000,
    });
    if (result.code !== 0) throw new Error(`${tool} failed:\n${failureDetails(result)}`);
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(appDir, 'package.json'));
  fs.cpSync(
    path.join(ROOT, 'deploy/opensearch/security'),
    path.join(appDir, 'deploy/opensearch/security'),
    {
      recursive: true,
    },
  );
}

/** How the process ended: its exit code, or the signal that ended it. */
function ending(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode);
    } else child.once('exit', (code, signal) => resolve(code ?? signal));
  });
}

describe('container entrypoint on the production build', () => {
  const setup = testEnvironment('image', [{ id: 'producer', companies: '*' }]);
  let appDir: string;

  beforeAll(async () => {
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-image-'));
    await buildImageLayout(appDir);
  }, 300_000);

  afterAll(async () => {
    fs.rmSync(appDir, { recursive: true, force: true });
    const client = testClient();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it('lays out what `npm run build` builds', () => {
    const script = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts.build;
    expect(script).toBe(['rm -rf dist', ...BUILD_STEPS].join(' && '));
    expect(fs.existsSync(path.join(appDir, 'dist/console/index.html'))).toBe(true);
  });

  it.each([
    ['ingest', 'dist/apps/ingest/src/main.js'],
    ['query', 'dist/apps/query/src/main.js'],
    ['export', 'dist/apps/export/src/main.js'],
    ['export-worker', 'dist/apps/export/src/worker/main.js'],
    ['maintenance', 'dist/apps/maintenance/src/main.js'],
    ['setup', 'dist/apps/setup/src/main.js'],
    ['security', 'dist/scripts/opensearch-security/cli.js apply'],
  ])('maps "%s" to node %s', async (command, script) => {
    // A stand-in `node` first on PATH shows exactly what the entrypoint would exec.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-node-'));
    fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho "node $*"\n', { mode: 0o755 });
    try {
      const result = await runCommand('sh', [ENTRYPOINT, command, '--flag'], {
        cwd: appDir,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      expect(result.stdout.trim()).toBe(`node ${script} --flag`);
      expect(result.code).toBe(0);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('refuses an unknown command with usage and status 64', async () => {
    const result = await runCommand('sh', [ENTRYPOINT, 'shell'], { cwd: appDir });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(
      'usage: <ingest|query|export|export-worker|maintenance|setup|security>',
    );
  });

  it('stops with the config error list (status 78) when a required variable is missing', async () => {
    const result = await runCommand('sh', [ENTRYPOINT, 'query'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(78);
    expect(`${result.stdout}${result.stderr}`).toContain('OPENSEARCH_URL');
  });

  it('runs the compiled security applier and names the failing call on a node without the plugin', async () => {
    const result = await runCommand('sh', [ENTRYPOINT, 'security'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, OPENSEARCH_URL: setup.env.OPENSEARCH_URL },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^security: PUT \/_plugins\/_security\/api\/roles\/auditlog_ingest failed: HTTP \d{3}/,
    );
  });

  it.each(['ingest', 'query', 'export'])(
    '"%s" becomes ready on PORT and stops cleanly on SIGTERM',
    async (app) => {
      const port = await findFreePort(34_000 + Math.floor(Math.random() * 1000));
      const child = spawn('sh', [ENTRYPOINT, app], {
        cwd: appDir,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', ...setup.env, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      try {
        const status = await waitFor(
          async () => {
            if (child.exitCode !== null)
              throw new Error(`${app} exited ${child.exitCode}: ${stderr}`);
            try {
              const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
              return response.status === 200 ? response.status : undefined;
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 60_000 },
        );
        expect(status).toBe(200);
      } finally {
        child.kill('SIGTERM');
      }
      // Nest closes the app on SIGTERM, then re-raises the signal: a clean stop ends either
      // with status 0 or by that same SIGTERM, never by a SIGKILL or an error status.
      expect([0, 'SIGTERM']).toContain(await ending(child));
    },
    90_000,
  );

  it('"query" serves the console from dist/console under its working directory', async () => {
    const port = await findFreePort(35_000 + Math.floor(Math.random() * 1000));
    // No CONSOLE_DIR: the default, dist/console, resolves against the working directory
    // (/app in the image, appDir here).
    const child = spawn('sh', [ENTRYPOINT, 'query'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...setup.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`query exited ${child.exitCode}: ${stderr}`);
          try {
            return (await fetch(`${base}/health/ready`)).status === 200;
          } catch {
            return false;
          }
        },
        { timeoutMs: 60_000 },
      );
      const root = await fetch(`${base}/`, { redirect: 'manual' });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/console/']);

      const page = await fetch(`${base}/console/`);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(html).toBe(fs.readFileSync(path.join(appDir, 'dist/console/index.html'), 'utf8'));

      const script = /<script[^>]+src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toEqual(expect.any(String));
      const asset = await fetch(`${base}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // Read to the end: an unread body keeps its socket paused and open after the server is gone.
      expect(await asset.text()).toBe(
        fs.readFileSync(path.join(appDir, 'dist', script ?? ''), 'utf8'),
      );

      const config = await fetch(`${base}/console/config.json`);
      expect(await config.json()).toEqual({ exportUrl: '' });
    } finally {
      child.kill('SIGTERM');
    }
    expect([0, 'SIGTERM']).toContain(await ending(child));
  }, 90_000);

  it('"export-worker" starts without HTTP, logs "export worker ready" and stops cleanly on SIGTERM', async () => {
    const child = spawn('sh', [ENTRYPOINT, 'export-worker'], {
      cwd: appDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        ...setup.env,
        LOG_LEVEL: 'info',
        EXPORT_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-worker-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(
        () => {
          if (child.exitCode !== null)
            throw new Error(`export-worker exited ${child.exitCode}: ${output}`);
          return Promise.resolve(output.includes('export worker ready'));
        },
        { timeoutMs: 60_000 },
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect([0, 'SIGTERM']).toContain(await ending(child));
  }, 90_000);

  it('"maintenance" starts without a public API, answers health on its internal port and stops on SIGTERM', async () => {
    const port = await findFreePort(36_000 + Math.floor(Math.random() * 1000));
    const child = spawn('sh', [ENTRYPOINT, 'maintenance'], {
      cwd: appDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        ...setup.env,
        LOG_LEVEL: 'info',
        MAINTENANCE_HEALTH_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(
        () => {
          if (child.exitCode !== null)
            throw new Error(`maintenance exited ${child.exitCode}: ${output}`);
          return Promise.resolve(output.includes('maintenance worker ready'));
        },
        { timeoutMs: 60_000 },
      );
      const ready = await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/health/ready`).then(
            (response) => (response.ok ? response : undefined),
            () => undefined,
          ),
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(ready.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/v1/events`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect([0, 'SIGTERM']).toContain(await ending(child));
  }, 90_000);
});
