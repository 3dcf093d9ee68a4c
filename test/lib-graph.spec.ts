import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The lib graph is written once, in eslint.config.mjs (the boundary lint rule enforces it);
 * this keeps the README's table and the libs folder in step with it.
 */
const root = resolve(__dirname, '..');

function libGraph(): Record<string, string[]> {
  const source = readFileSync(join(root, 'eslint.config.mjs'), 'utf8');
  const literal = /const LIB_GRAPH = (\{[\s\S]*?\n\});/.exec(source)?.[1];
  if (!literal) throw new Error('LIB_GRAPH not found in eslint.config.mjs');
  // The literal is plain data: quote its keys and strings, drop trailing commas, read as JSON.
  const json = literal
    .replace(/'/g, '"')
    .replace(/^(\s*)([a-z-]+):/gm, '$1"$2":')
    .replace(/,(\s*[\]}])/g, '$1');
  return JSON.parse(json) as Record<string, string[]>;
}

function readmeGraph(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Lib graph'));
  const rows = new Map<string, string>();
  for (const [, lib, deps] of section.matchAll(
    /^\| `libs\/([a-z-]+)` \|[^\n]*\| ([^|\n]+) \|$/gm,
  )) {
    if (lib !== undefined && deps !== undefined) rows.set(lib, deps.trim());
  }
  return rows;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.(e2e-)?spec\.ts$/.test(name) ? [path] : [];
  });
}

describe('the lib graph', () => {
  const graph = libGraph();

  it('names every lib folder, and only those', () => {
    expect(Object.keys(graph).sort()).toEqual(readdirSync(join(root, 'libs')).sort());
  });

  it('is the README table', () => {
    const rows = readmeGraph();
    expect([...rows.keys()].sort()).toEqual(Object.keys(graph).sort());
    for (const [lib, allowed] of Object.entries(graph)) {
      if (lib === 'testing') {
        expect(rows.get(lib)).toBe('any lib');
        continue;
      }
      const listed = rows.get(lib) === '—' ? [] : (rows.get(lib) ?? '').split(', ');
      expect({ lib, deps: listed.sort() }).toEqual({ lib, deps: [...allowed].sort() });
    }
  });

  it('is what the libs import, without cycles', () => {
    for (const [lib, allowed] of Object.entries(graph)) {
      for (const file of sources(join(root, 'libs', lib, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const [, imported = ''] of text.matchAll(/from '@auditlog\/([a-z-]+)'/g)) {
          if (imported === lib) continue;
          expect({ file, imports: imported, allowed: allowed.includes(imported) }).toEqual({
            file,
            imports: imported,
            allowed: true,
          });
        }
      }
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (lib: string, path: string[]): void => {
      if (done.has(lib)) return;
      if (visiting.has(lib)) throw new Error(`cycle: ${[...path, lib].join(' → ')}`);
      visiting.add(lib);
      for (const dep of graph[lib] ?? []) visit(dep, [...path, lib]);
      visiting.delete(lib);
      done.add(lib);
    };
    for (const lib of Object.keys(graph)) visit(lib, []);
  });
});
