import type { Jdk } from './java';

/** Newest first; the first one some local JDK can run wins. */
const PREFERRED_VERSIONS = ['3.4.0', '2.19.4'];

interface JavaRange {
  min: number;
  max?: number;
}

export interface OpenSearchRuntime {
  version: string;
  jdk: Jdk;
}

// 3.x needs Java 21+. 2.x still relies on the Java security manager, which Java 24 removed.
export function javaRangeFor(version: string): JavaRange {
  const major = Number.parseInt(version, 10);
  if (major >= 3) return { min: 21 };
  if (major === 2) return { min: 11, max: 23 };
  return { min: 8, max: 17 };
}

function describeRange(range: JavaRange): string {
  return range.max ? `Java ${range.min}-${range.max}` : `Java ${range.min}+`;
}

/** Plugins are versioned as the OpenSearch version plus a fourth component. */
export function pluginVersionFor(version: string): string {
  return `${version}.0`;
}

function compatibleJdks(jdks: Jdk[], range: JavaRange): Jdk[] {
  return jdks.filter((jdk) => jdk.major >= range.min && (!range.max || jdk.major <= range.max));
}

/**
 * Picks the OpenSearch version and the JDK to run it with. A JAVA_HOME that fits is preferred
 * over newer JDKs found elsewhere.
 */
export function chooseRuntime(
  jdks: Jdk[],
  versionOverride: string | undefined,
  javaHome: string | undefined,
): OpenSearchRuntime {
  const versions = versionOverride ? [versionOverride] : PREFERRED_VERSIONS;
  for (const version of versions) {
    const candidates = compatibleJdks(jdks, javaRangeFor(version));
    const fromJavaHome = candidates.find((jdk) => javaHome && jdk.home === javaHome);
    const [newest] = [...candidates].sort((a, b) => b.major - a.major);
    if (newest === undefined) continue;
    return { version, jdk: fromJavaHome ?? newest };
  }
  const found = jdks.length
    ? jdks.map((jdk) => `Java ${jdk.major} at ${jdk.home}`).join(', ')
    : 'none';
  const needed = versions.map((v) => `OpenSearch ${v} needs ${describeRange(javaRangeFor(v))}`);
  throw new Error(
    `no suitable JDK found (${needed.join('; ')}). JDKs found: ${found}. ` +
      'Install one (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.',
  );
}
