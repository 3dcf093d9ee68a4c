import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExecutable } from './processes';

export interface Jdk {
  home: string;
  version: string;
  major: number;
}

const JVM_ROOT = '/usr/lib/jvm';

/** "1.8.0_392" -> 8, "17.0.15" -> 17, "25" -> 25. */
export function parseJavaMajor(version: string): number | undefined {
  const parts = version.trim().split(/[.+_-]/);
  const first = Number.parseInt(parts[0] ?? '', 10);
  if (first === 1) {
    const second = Number.parseInt(parts[1] ?? '', 10);
    return Number.isInteger(second) ? second : undefined;
  }
  return Number.isInteger(first) ? first : undefined;
}

function versionFromReleaseFile(home: string): string | undefined {
  try {
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    return /^JAVA_VERSION="?([^"\n]+)"?/m.exec(release)?.[1];
  } catch {
    return undefined;
  }
}

function versionFromJavaBinary(javaBinary: string): string | undefined {
  const result = spawnSync(javaBinary, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  return /version "([^"]+)"/.exec(`${result.stderr ?? ''}${result.stdout ?? ''}`)?.[1];
}

function inspectJdk(home: string): Jdk | undefined {
  const javaBinary = path.join(home, 'bin', 'java');
  try {
    fs.accessSync(javaBinary, fs.constants.X_OK);
  } catch {
    return undefined;
  }
  const version = versionFromReleaseFile(home) ?? versionFromJavaBinary(javaBinary);
  const major = version ? parseJavaMajor(version) : undefined;
  return version && major ? { home, version, major } : undefined;
}

function candidateHomes(): string[] {
  const homes: string[] = [];
  if (process.env.JAVA_HOME) homes.push(process.env.JAVA_HOME);
  try {
    for (const entry of fs.readdirSync(JVM_ROOT).sort()) homes.push(path.join(JVM_ROOT, entry));
  } catch {
    // no system JVM directory
  }
  const javaOnPath = findExecutable('java');
  if (javaOnPath) homes.push(path.dirname(path.dirname(fs.realpathSync(javaOnPath))));
  return homes;
}

/** JDKs from JAVA_HOME, /usr/lib/jvm and PATH, in that order, without duplicates. */
export function discoverJdks(): Jdk[] {
  const seen = new Set<string>();
  const jdks: Jdk[] = [];
  for (const home of candidateHomes()) {
    let realHome: string;
    try {
      realHome = fs.realpathSync(home);
    } catch {
      continue;
    }
    if (seen.has(realHome)) continue;
    seen.add(realHome);
    const jdk = inspectJdk(realHome);
    if (jdk) jdks.push(jdk);
  }
  return jdks;
}
