import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractZip } from './archive';
import type { Jdk } from './java';
import { readJsonFile, writeJsonFile } from './json-files';
import type { Log } from './log';
import {
  ArtifactNotFoundError,
  coordinates,
  fetchMavenArtifact,
  type MavenArtifact,
} from './maven';
import { pluginVersionFor } from './opensearch-release';
import { isRoot, type ServicePaths } from './paths';
import { failureDetails, runCommand } from './processes';
import { makeWorldReadable } from './system-user';

export const ISM_PLUGIN = 'opensearch-index-management';
const JOB_SCHEDULER_PLUGIN = 'opensearch-job-scheduler';
const ISM_RETRY_AFTER_MS = 24 * 60 * 60_000;
const READY_MARKER = '.auditlog-ready';

export interface PreparedDistribution {
  home: string;
  version: string;
  ismAvailable: boolean;
}

interface IsmUnavailableRecord {
  checkedAt: string;
  reason: string;
}

function distributionArtifact(version: string): MavenArtifact {
  // The integ-test zip is the minimal, plugin-free distribution published to Maven.
  return {
    groupId: 'org.opensearch.distribution.integ-test-zip',
    artifactId: 'opensearch',
    version,
    packaging: 'zip',
  };
}

function pluginArtifact(name: string, version: string): MavenArtifact {
  return {
    groupId: 'org.opensearch.plugin',
    artifactId: name,
    version: pluginVersionFor(version),
    packaging: 'zip',
  };
}

export function distributionHome(paths: ServicePaths, version: string): string {
  return path.join(paths.cacheDir, `opensearch-${version}`);
}

function isPluginInstalled(home: string, plugin: string): boolean {
  return fs.existsSync(path.join(home, 'plugins', plugin));
}

async function extractDistribution(
  paths: ServicePaths,
  version: string,
  jdk: Jdk,
  log: Log,
): Promise<string> {
  const home = distributionHome(paths, version);
  if (fs.existsSync(path.join(home, READY_MARKER))) return home;

  const zip = await fetchMavenArtifact(distributionArtifact(version), paths.downloadsDir, log);
  const workDir = fs.mkdtempSync(path.join(paths.cacheDir, '.extract-'));
  try {
    await extractZip(zip, workDir, jdk.home);
    const extracted = path.join(workDir, `opensearch-${version}`);
    if (!fs.existsSync(path.join(extracted, 'bin', 'opensearch'))) {
      throw new Error(`${zip} does not contain opensearch-${version}/bin/opensearch`);
    }
    for (const script of fs.readdirSync(path.join(extracted, 'bin'))) {
      fs.chmodSync(path.join(extracted, 'bin', script), 0o755);
    }
    fs.rmSync(home, { recursive: true, force: true }); // an earlier, interrupted extraction
    fs.renameSync(extracted, home);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  if (isRoot()) await makeWorldReadable(home);
  fs.writeFileSync(path.join(home, READY_MARKER), `${new Date().toISOString()}\n`);
  log(`opensearch: extracted ${version} to ${home}`);
  return home;
}

function ismUnavailableFile(paths: ServicePaths, version: string): string {
  return path.join(paths.cacheDir, `ism-unavailable-${version}.json`);
}

function recentIsmMiss(paths: ServicePaths, version: string): IsmUnavailableRecord | undefined {
  const record = readJsonFile<IsmUnavailableRecord>(ismUnavailableFile(paths, version));
  if (!record) return undefined;
  const age = Date.now() - Date.parse(record.checkedAt);
  return age >= 0 && age < ISM_RETRY_AFTER_MS ? record : undefined;
}

function warnIsmAbsent(log: Log, reason: string): void {
  log(`opensearch: warning: ${reason}; retention uses the built-in sweeper`);
}

function pluginCommandEnv(home: string, jdk: Jdk): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JAVA_HOME: jdk.home,
    OPENSEARCH_JAVA_HOME: jdk.home,
    OPENSEARCH_HOME: home,
  };
  delete env.OPENSEARCH_PATH_CONF; // install into the distribution's own config dir
  delete env.OPENSEARCH_JAVA_OPTS;
  return env;
}

async function runPluginTool(home: string, jdk: Jdk, args: string[]) {
  return runCommand(path.join(home, 'bin', 'opensearch-plugin'), args, {
    cwd: home,
    env: pluginCommandEnv(home, jdk),
    timeoutMs: 5 * 60_000,
  });
}

async function installPlugins(home: string, jdk: Jdk, zips: Map<string, string>): Promise<void> {
  const installedNow: string[] = [];
  try {
    for (const [plugin, zip] of zips) {
      if (isPluginInstalled(home, plugin)) continue;
      const result = await runPluginTool(home, jdk, ['install', '--batch', `file://${zip}`]);
      if (result.code !== 0) {
        throw new Error(`installing ${plugin} failed:\n${failureDetails(result)}`);
      }
      installedNow.push(plugin);
    }
  } catch (error) {
    for (const plugin of installedNow.reverse()) await runPluginTool(home, jdk, ['remove', plugin]);
    throw error;
  }
}

/**
 * Installs the ISM plugin (and the job scheduler it extends) into the distribution when
 * Maven has them. A miss is remembered for a day, so later runs do not pay for the lookup.
 */
async function ensureIsm(
  paths: ServicePaths,
  home: string,
  version: string,
  jdk: Jdk,
  log: Log,
): Promise<boolean> {
  if (isPluginInstalled(home, ISM_PLUGIN)) return true;

  const ism = pluginArtifact(ISM_PLUGIN, version);
  const miss = recentIsmMiss(paths, version);
  if (miss) {
    warnIsmAbsent(log, `${miss.reason} (checked ${miss.checkedAt})`);
    return false;
  }

  let zips: Map<string, string>;
  try {
    // ISM is the one usually missing, so look it up first.
    const ismZip = await fetchMavenArtifact(ism, paths.downloadsDir, log);
    const scheduler = pluginArtifact(JOB_SCHEDULER_PLUGIN, version);
    const schedulerZip = await fetchMavenArtifact(scheduler, paths.downloadsDir, log);
    // Insertion order is install order: ISM extends the job scheduler.
    zips = new Map([
      [JOB_SCHEDULER_PLUGIN, schedulerZip],
      [ISM_PLUGIN, ismZip],
    ]);
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) {
      const reason = `ISM plugin ${coordinates(ism)} is not available from the Maven repository`;
      writeJsonFile(ismUnavailableFile(paths, version), {
        checkedAt: new Date().toISOString(),
        reason,
      } satisfies IsmUnavailableRecord);
      warnIsmAbsent(log, reason);
    } else {
      warnIsmAbsent(log, `ISM plugin download failed (${(error as Error).message})`);
    }
    return false;
  }

  try {
    await installPlugins(home, jdk, zips);
  } catch (error) {
    warnIsmAbsent(log, (error as Error).message);
    return false;
  }
  if (isRoot()) await makeWorldReadable(home);
  log(`opensearch: installed ${JOB_SCHEDULER_PLUGIN} and ${ISM_PLUGIN} into ${home}`);
  return true;
}

/** Downloads and extracts the distribution (once) and adds ISM when it can be had. */
export async function prepareDistribution(
  paths: ServicePaths,
  version: string,
  jdk: Jdk,
  log: Log,
): Promise<PreparedDistribution> {
  fs.mkdirSync(paths.cacheDir, { recursive: true });
  if (isRoot()) fs.chmodSync(paths.cacheDir, 0o755); // the OpenSearch user reads the distribution
  const home = await extractDistribution(paths, version, jdk, log);
  const ismAvailable = await ensureIsm(paths, home, version, jdk, log);
  return { home, version, ismAvailable };
}
