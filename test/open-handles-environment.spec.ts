import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { only } from '@auditlog/testing';

const ROOT = resolve(__dirname, '..');
const FIXTURES = join(ROOT, 'test/open-handles-fixtures');

interface FileResult {
  name: string;
  status: 'passed' | 'failed';
  message: string;
}

/** Runs the fixture files in a Jest of their own, with workers, and answers each file's result. */
async function runFixtures(): Promise<{ code: number | null; files: FileResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'open-handles-'));
  const report = join(dir, 'report.json');
  try {
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'node_modules/jest/bin/jest.js'),
          '-c',
          join(FIXTURES, 'jest.config.js'),
          '--maxWorkers=2',
          '--json',
          `--outputFile=${report}`,
        ],
        {
          cwd: ROOT,
          env: { ...process.env, AUDITLOG_OPEN_HANDLES_GRACE_MS: '1000' },
          stdio: 'ignore',
        },
      );
      child.once('error', fail);
      child.once('exit', done);
    });
    const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] };
    return { code, files: json.testResults };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the open-handles test environment', () => {
  let run: Awaited<ReturnType<typeof runFixtures>>;
  const file = (name: string): FileResult =>
    only(
      run.files.filter((result) => result.name === join(FIXTURES, `${name}.fixture.ts`)),
      name,
    );

  beforeAll(async () => {
    run = await runFixtures();
  }, 120_000);

  it('fails the run when a file leaves something open', () => {
    expect(run.code).toBe(1);
    expect(run.files).toHaveLength(4);
  });

  it('passes a file that closes its timer, server and socket', () => {
    expect(file('clean')).toMatchObject({ status: 'passed', message: '' });
  });

  it.each([
    ['leaks-timer', /left 1 × Timeout open after its tests and afterAll hooks/],
    ['leaks-server', /left 1 × TCPServerWrap open[^]*- Server listening on 127\.0\.0\.1:\d+/],
    [
      'leaks-socket',
      /left 2 × TCPSocketWrap open[^]*- Socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+\s+- Socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/,
    ],
  ])('fails %s, naming what it left open', (name, leak) => {
    const result = file(name);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(leak);
  });
});
