import * as fs from 'node:fs';
import * as path from 'node:path';

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
    expect(build).toMatch(/RUN npm run build && npm prune --omit=dev/);
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
  });
});
