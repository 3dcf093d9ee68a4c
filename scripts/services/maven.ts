import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Log } from './log';
import { failureDetails, findExecutable, runCommand } from './processes';

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  packaging: string;
}

/** The repository answered, and it does not have the artifact. */
export class ArtifactNotFoundError extends Error {}

export function coordinates(artifact: MavenArtifact): string {
  return `${artifact.groupId}:${artifact.artifactId}:${artifact.version}:${artifact.packaging}`;
}

function fileName(artifact: MavenArtifact): string {
  return `${artifact.artifactId}-${artifact.version}.${artifact.packaging}`;
}

// Maven also reports "not found" when an earlier miss is still in its local negative cache.
const NOT_FOUND_PATTERN =
  /Could not find artifact|Failure to find|was cached in the local repository/;

async function downloadWithMaven(
  mvn: string,
  artifact: MavenArtifact,
  workDir: string,
): Promise<string> {
  const result = await runCommand(
    mvn,
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      'dependency:copy',
      `-Dartifact=${coordinates(artifact)}`,
      `-DoutputDirectory=${workDir}`,
    ],
    { cwd: workDir, timeoutMs: 30 * 60_000 },
  );
  const downloaded = path.join(workDir, fileName(artifact));
  if (result.code === 0 && fs.existsSync(downloaded)) return downloaded;
  if (NOT_FOUND_PATTERN.test(`${result.stdout}\n${result.stderr}`)) {
    throw new ArtifactNotFoundError(`${coordinates(artifact)} is not in the Maven repository`);
  }
  throw new Error(`mvn could not download ${coordinates(artifact)}:\n${failureDetails(result)}`);
}

function repositoryUrl(repository: string, artifact: MavenArtifact): string {
  const base = repository.replace(/\/+$/, '');
  const groupPath = artifact.groupId.replace(/\./g, '/');
  return `${base}/${groupPath}/${artifact.artifactId}/${artifact.version}/${fileName(artifact)}`;
}

async function expectedSha1(url: string): Promise<string | undefined> {
  const response = await fetch(`${url}.sha1`);
  if (!response.ok) return undefined;
  return (await response.text()).trim().split(/\s+/)[0]?.toLowerCase();
}

async function downloadOverHttps(
  repository: string,
  artifact: MavenArtifact,
  workDir: string,
): Promise<string> {
  const url = repositoryUrl(repository, artifact);
  const response = await fetch(url);
  if (response.status === 404) {
    throw new ArtifactNotFoundError(`${coordinates(artifact)} is not in ${repository}`);
  }
  if (!response.ok || !response.body) {
    throw new Error(`downloading ${url} failed: HTTP ${response.status}`);
  }
  const target = path.join(workDir, fileName(artifact));
  const hash = createHash('sha1');
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, fs.createWriteStream(target));
  const expected = await expectedSha1(url);
  const actual = hash.digest('hex');
  if (expected && expected !== actual) {
    throw new Error(`checksum mismatch for ${url}: expected sha1 ${expected}, got ${actual}`);
  }
  return target;
}

/**
 * Returns the path of the artifact in downloadsDir, downloading it with `mvn` (or, without
 * mvn, over HTTPS from AUDITLOG_MAVEN_REPOSITORY) unless it is already cached there.
 */
export async function fetchMavenArtifact(
  artifact: MavenArtifact,
  downloadsDir: string,
  log: Log,
): Promise<string> {
  const cached = path.join(downloadsDir, fileName(artifact));
  if (fs.existsSync(cached)) return cached;

  const mvn = findExecutable('mvn');
  const repository = process.env.AUDITLOG_MAVEN_REPOSITORY;
  if (!mvn && !repository) {
    throw new Error(
      `cannot download ${coordinates(artifact)}: mvn is not installed and AUDITLOG_MAVEN_REPOSITORY ` +
        'is not set (install Maven, or set it to the base URL of Maven Central or your mirror)',
    );
  }

  fs.mkdirSync(downloadsDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(downloadsDir, '.download-'));
  try {
    log(`maven: fetching ${coordinates(artifact)} via ${mvn ? 'mvn' : repository}`);
    const downloaded = mvn
      ? await downloadWithMaven(mvn, artifact, workDir)
      : await downloadOverHttps(repository as string, artifact, workDir);
    fs.renameSync(downloaded, cached);
    return cached;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
