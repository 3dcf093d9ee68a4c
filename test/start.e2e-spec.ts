import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { dropPrefix, testClient, testEnvironment, waitFor } from '@auditlog/testing';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..');
const READY_LINE = 'Press Ctrl+C to stop the apps';

/** The commands `npm start` prints: `curl` lines, joined where they end in a backslash. */
function printedCurlCommands(output: string): string[] {
  const joined = output.replace(/\\\n/g, ' ');
  return joined.split('\n').filter((line) => line.startsWith('curl '));
}

function waitForOutput(child: ChildProcess, marker: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`"${marker}" not printed within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
}

describe('npm start', () => {
  // Only the index prefix and services come from the harness: keys and the JWT secret must
  // be the demo ones `npm start` generates and prints.
  const setup = testEnvironment('start');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-start-'));
  let child: ChildProcess;
  let output: string;

  beforeAll(async () => {
    child = spawn(
      path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(REPO_ROOT, 'scripts', 'start', 'cli.ts')],
      {
        cwd: workDir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          OPENSEARCH_URL: setup.env.OPENSEARCH_URL,
          REDIS_URL: setup.env.REDIS_URL,
          OPENSEARCH_INDEX_PREFIX: setup.indexPrefix,
          REDIS_KEY_PREFIX: setup.indexPrefix,
          LOG_LEVEL: 'warn',
          INGEST_PORT: '3121',
          QUERY_PORT: '3122',
          EXPORT_PORT: '3123',
          MAINTENANCE_HEALTH_PORT: '3124',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    output = await waitForOutput(child, READY_LINE, 150_000);
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const client = testClient();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it('prints the URLs, a demo ingest key and a company-owner token', () => {
    expect(output).toContain('ingest  http://127.0.0.1:3121');
    expect(output).toContain('query   http://127.0.0.1:3122');
    expect(output).toContain('export  http://127.0.0.1:3123');
    expect(output).toContain('maintenance worker (digests, retention, export expiry)');
    expect(output).toMatch(/Demo ingest key: \S{20,}/);
    expect(output).toMatch(
      /Demo company-owner token \(demo-company, valid 7 days\): \S+\.\S+\.\S+/,
    );
    expect(fs.existsSync(path.join(workDir, '.auditlog-demo.json'))).toBe(true);
  });

  it('runs the maintenance worker, ready on its internal health port', async () => {
    const ready = await fetch('http://127.0.0.1:3124/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { worker: { status: 'up' } } });
  });

  it('prints a console link that signs in once as the demo owner', async () => {
    expect(output).toContain('console http://127.0.0.1:3122/console/');
    const link = /^\s+(http:\/\/127\.0\.0\.1:3122\/console\/#viewer_token=\S+)$/m.exec(output)?.[1];
    expect(link).toBeDefined();
    const page = await fetch(link as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');

    const token = new URL(link as string).hash.replace('#viewer_token=', '');
    const exchange = () =>
      fetch('http://127.0.0.1:3122/v1/viewer-sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    const first = await exchange();
    expect(first.status).toBe(201);
    const session = (await first.json()) as { session_token: string; company_id: string };
    expect(session).toMatchObject({ company_id: 'demo-company', subject: 'demo-owner' });
    const events = await fetch('http://127.0.0.1:3122/v1/events?limit=1', {
      headers: { authorization: `Bearer ${session.session_token}` },
    });
    expect(events.status).toBe(200);
    expect((await exchange()).status).toBe(401);
  });

  it('prints curl lines that work when pasted', async () => {
    const commands = printedCurlCommands(output);
    expect(commands).toHaveLength(2);
    const [ingestCurl = '', queryCurl = ''] = commands;

    const ingested = JSON.parse((await run('bash', ['-c', ingestCurl])).stdout);
    expect(ingested).toMatchObject({ status: 'created' });

    // Search is near-real-time (1 s refresh): the demo events appear within moments.
    const page = await waitFor(
      async () => {
        const body = JSON.parse((await run('bash', ['-c', queryCurl])).stdout);
        return body.data?.length > 0 ? body : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(page.data).toHaveLength(5);
    for (const event of page.data) expect(event.company_id).toBe('demo-company');
  });
});
