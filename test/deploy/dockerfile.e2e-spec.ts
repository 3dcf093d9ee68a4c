import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastOf } from '@auditlog/testing';

const ROOT = path.resolve(__dirname, '../..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const ignored = fs
  .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/** Instructions of one stage, continuation lines joined. */
function stage(name: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const stages = joined.split(/^FROM /m).slice(1);
  const found = stages.find((text) => new RegExp(`^\\S+ AS ${name}\\b`).test(text));
  if (!found) throw new Error(`no stage ${name}`);
  return found
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The stage's working directory: its last WORKDIR, resolved like Docker does. */
function workdir(lines: string[]): string {
  return lines
    .filter((line) => line.startsWith('WORKDIR '))
    .reduce((dir, line) => path.posix.resolve(dir, line.slice('WORKDIR '.length).trim()), '/');
}

/** `ENV` values of a stage (`ENV A=1 B=2` form). */
function envOf(lines: string[]): Record<string, string> {
  return Object.fromEntries(
    lines
      .filter((line) => line.startsWith('ENV '))
      .flatMap((line) => line.slice('ENV '.length).trim().split(/\s+/))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/**
 * Where a path of the build stage ends up in the runtime stage: the last
 * `COPY --from=build <src> <dest>` whose source holds it (a directory copies its contents).
 */
function runtimePathOf(buildPath: string): string | undefined {
  const buildDir = workdir(stage('build'));
  const runtime = stage('runtime');
  let found: string | undefined;
  let dir = '/';
  for (const line of runtime) {
    if (line.startsWith('WORKDIR ')) dir = path.posix.resolve(dir, line.slice(8).trim());
    if (!line.startsWith('COPY --from=build ')) continue;
    const args = line
      .split(/\s+/)
      .slice(1)
      .filter((arg) => !arg.startsWith('--'));
    const dest = path.posix.resolve(dir, lastOf(args, 'COPY destination'));
    for (const source of args.slice(0, -1).map((src) => path.posix.resolve(buildDir, src))) {
      if (buildPath === source || buildPath.startsWith(`${source}/`)) {
        found = path.posix.join(dest, path.posix.relative(source, buildPath));
      }
    }
  }
  return found;
}

function isIgnored(file: string): boolean {
  // .dockerignore patterns used here are plain paths or simple globs; the last match wins.
  let result = false;
  for (const pattern of ignored) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    const regex = new RegExp(
      `^${body
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(.*/)?')
        .replace(/\*/g, '[^/]*')}(/.*)?$`,
    );
    if (regex.test(file)) result = !negated;
  }
  return result;
}

describe('Dockerfile', () => {
  it('builds, then prunes dev dependencies, in the build stage', () => {
    const build = stage('build').join('\n');
    expect(build).toMatch(/ARG NPM_INSTALL="npm ci /);
    expect(build).toMatch(
      /RUN npm run build\s+&& test -f dist\/console\/index.html\s+&& npm prune --omit=dev/,
    );
  });

  it('ships the console it built where CONSOLE_DIR points by default', () => {
    const buildDir = workdir(stage('build'));
    expect(buildDir).toBe('/app');
    // `RUN npm run build` builds the console with Vite into dist/console (ADR 0080).
    const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(packageJson.scripts.build?.split(' && ')).toContain(
      'vite build -c apps/console/vite.config.ts',
    );
    const runtime = stage('runtime');
    // ADR 0080: CONSOLE_DIR defaults to dist/console, resolved against the working directory.
    const consoleDir = path.posix.resolve(
      workdir(runtime),
      envOf(runtime).CONSOLE_DIR ?? 'dist/console',
    );
    expect(consoleDir).toBe('/app/dist/console');
    expect(runtimePathOf(path.posix.join(buildDir, 'dist/console/index.html'))).toBe(
      path.posix.join(consoleDir, 'index.html'),
    );
    expect(runtimePathOf(path.posix.join(buildDir, 'dist/console/assets/index-0a1b2c.js'))).toBe(
      path.posix.join(consoleDir, 'assets/index-0a1b2c.js'),
    );
    // The helpers can tell a missing copy.
    expect(runtimePathOf('/app/apps/console/index.html')).toBeUndefined();
    expect(runtimePathOf('/app/dist/apps/query/src/main.js')).toBe(
      '/app/dist/apps/query/src/main.js',
    );
  });

  it('runs as a numeric non-root user with the entrypoint and an export volume', () => {
    const runtime = stage('runtime');
    expect(runtime).toContain('USER 10001:10001');
    expect(runtime).toContain('ENTRYPOINT ["/usr/local/bin/auditlog"]');
    expect(runtime).toContain('VOLUME ["/var/lib/auditlog/exports"]');
    expect(runtime.join('\n')).toMatch(/EXPORT_DIR=\/var\/lib\/auditlog\/exports/);
    expect(runtime.join('\n')).toContain(
      'COPY deploy/docker/entrypoint.sh /usr/local/bin/auditlog',
    );
  });

  it('sends everything the build copies in the build context', () => {
    const copied = dockerfile
      .split('\n')
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) =>
        line
          .replace(/^COPY /, '')
          .split(/\s+/)
          .slice(0, -1),
      );
    expect(copied).toEqual(
      expect.arrayContaining([
        'package.json',
        'apps',
        'libs',
        'scripts',
        'deploy/opensearch/security',
      ]),
    );
    expect(copied.filter(isIgnored)).toEqual([]);
    for (const file of ['.env', 'node_modules', 'dist', '.git', 'libs/testing']) {
      expect(isIgnored(file)).toBe(true);
    }
    // Vite reads the console's page, sources, public files and config from apps/console.
    for (const file of [
      'apps/console/index.html',
      'apps/console/vite.config.ts',
      'apps/console/tsconfig.json',
      'apps/console/src/main.tsx',
      'apps/console/public/embed.js',
    ]) {
      expect(isIgnored(file)).toBe(false);
    }
  });
});
