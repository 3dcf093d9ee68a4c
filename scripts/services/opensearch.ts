import * as fs from 'node:fs';
import * as os from 'node:os';
import { discoverJdks } from './java';
import { withServicesLock } from './lock';
import { type Log, redactUrl, stderrLog } from './log';
import { clusterHealthStatus, hasPlugin, isClusterHealthy, serverVersion } from './opensearch-api';
import { ISM_PLUGIN, prepareDistribution } from './opensearch-distribution';
import { heapOptions, nodeLayout, writeNodeConfig } from './opensearch-node-config';
import { chooseRuntime } from './opensearch-release';
import {
  OPENSEARCH_PROCESS_MARKER,
  type OpenSearchState,
  readOpenSearchState,
  writeOpenSearchState,
} from './opensearch-state';
import { isRoot, OPENSEARCH_SYSTEM_USER, type ServicePaths, servicePaths } from './paths';
import { findFreePort, isPortFree } from './ports';
import {
  awaitStartup,
  prepareNodeOwnership,
  spawnNode,
  STARTUP_TIMEOUT_MS,
} from './opensearch-launch';
import { isProcessRunning, sleep, terminateProcess } from './processes';

export type { OpenSearchState } from './opensearch-state';

export interface OpenSearchEndpoint {
  url: string;
  ismAvailable: boolean;
  outcome: 'started' | 'reused' | 'external';
}

type LaunchPlan = Omit<OpenSearchState, 'pid' | 'startedAt'>;

const STOP_GRACE_MS = 30_000;
const DEFAULT_HTTP_PORT = 9200;
const DEFAULT_TRANSPORT_PORT = 9300;
const CLUSTER_NAME = 'auditlog-dev';

function isRunning(state: OpenSearchState | undefined): state is OpenSearchState & { pid: number } {
  return !!state?.pid && isProcessRunning(state.pid, OPENSEARCH_PROCESS_MARKER);
}

function describeNode(state: OpenSearchState): string {
  return `${state.version} at ${state.url} (java ${state.javaMajor}, ISM: ${state.ismAvailable ? 'present' : 'absent'})`;
}

async function answers(url: string): Promise<boolean> {
  try {
    await serverVersion(url);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilAnswering(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(url)) return true;
    await sleep(1000);
  }
  return false;
}

async function isOwnClusterHealthy(url: string): Promise<boolean> {
  try {
    return await isClusterHealthy(url, 1, CLUSTER_NAME);
  } catch {
    return false;
  }
}

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port number, got "${value}"`);
  }
  return port;
}

async function chooseHttpPort(log: Log): Promise<number> {
  const override = process.env.AUDITLOG_OPENSEARCH_PORT;
  const preferred = override ? parsePort(override, 'AUDITLOG_OPENSEARCH_PORT') : DEFAULT_HTTP_PORT;
  if (await isPortFree(preferred)) return preferred;
  const port = await findFreePort(preferred + 1);
  log(`opensearch: port ${preferred} is taken by another process; using ${port}`);
  return port;
}

/** Starts the node described by plan in the background and waits until it is yellow. */
async function launchNode(
  paths: ServicePaths,
  plan: LaunchPlan,
  log: Log,
): Promise<OpenSearchState> {
  const layout = nodeLayout(paths.servicesDir, plan.version);
  writeNodeConfig(layout, {
    distributionHome: plan.distributionHome,
    httpPort: plan.httpPort,
    transportPort: plan.transportPort,
    ismAvailable: plan.ismAvailable,
  });
  await prepareNodeOwnership(paths.servicesDir, layout.nodeDir, log);
  const starting = spawnNode({
    distributionHome: plan.distributionHome,
    javaHome: plan.javaHome,
    layout,
    javaOpts: heapOptions(),
  });
  const [pid] = await awaitStartup(
    [{ starting, layout }],
    () => isOwnClusterHealthy(plan.url),
    log,
  );
  const state: OpenSearchState = { ...plan, pid: pid ?? null, startedAt: new Date().toISOString() };
  writeOpenSearchState(paths.opensearchStateFile, state);
  return state;
}

async function useExternalOpenSearch(rawUrl: string, log: Log): Promise<OpenSearchEndpoint> {
  const url = rawUrl.replace(/\/+$/, '');
  let version: string;
  let ismAvailable: boolean;
  try {
    version = await serverVersion(url);
    ismAvailable = await hasPlugin(url, ISM_PLUGIN);
  } catch (error) {
    throw new Error(
      `OPENSEARCH_URL=${redactUrl(url)} does not answer: ${(error as Error).message}`,
      { cause: error },
    );
  }
  log(
    `opensearch: external ${version} at ${redactUrl(url)} (ISM: ${ismAvailable ? 'present' : 'absent'})`,
  );
  return { url, ismAvailable, outcome: 'external' };
}

/** Why a running node does not match what the environment asks for, if it does not. */
function configMismatch(state: OpenSearchState): string | undefined {
  const version = process.env.AUDITLOG_OPENSEARCH_VERSION;
  if (version && version !== state.version) {
    return `AUDITLOG_OPENSEARCH_VERSION=${version} but ${state.version} is running`;
  }
  const port = process.env.AUDITLOG_OPENSEARCH_PORT;
  if (port && parsePort(port, 'AUDITLOG_OPENSEARCH_PORT') !== state.httpPort) {
    return `AUDITLOG_OPENSEARCH_PORT=${port} but the node listens on ${state.httpPort}`;
  }
  return undefined;
}

async function reuseRunningNode(
  paths: ServicePaths,
  state: OpenSearchState & { pid: number },
  log: Log,
): Promise<OpenSearchEndpoint | undefined> {
  const mismatch = configMismatch(state);
  if (mismatch) {
    log(`opensearch: restarting: ${mismatch}`);
  } else {
    let answering = await answers(state.url);
    if (!answering) {
      log(`opensearch: pid ${state.pid} is running but ${state.url} does not answer yet; waiting`);
      answering = await waitUntilAnswering(state.url, STARTUP_TIMEOUT_MS);
    }
    if (answering) {
      const ismAvailable = await hasPlugin(state.url, ISM_PLUGIN);
      if (ismAvailable !== state.ismAvailable) {
        writeOpenSearchState(paths.opensearchStateFile, { ...state, ismAvailable });
      }
      log(`opensearch: reused ${describeNode({ ...state, ismAvailable })}`);
      return { url: state.url, ismAvailable, outcome: 'reused' };
    }
    log(`opensearch: pid ${state.pid} never answered; restarting it`);
  }
  await terminateProcess(state.pid, OPENSEARCH_PROCESS_MARKER, STOP_GRACE_MS);
  writeOpenSearchState(paths.opensearchStateFile, { ...state, pid: null });
  return undefined;
}

export function realJavaHome(): string | undefined {
  try {
    return process.env.JAVA_HOME ? fs.realpathSync(process.env.JAVA_HOME) : undefined;
  } catch {
    return undefined;
  }
}

/** Reuses, or downloads, configures and starts, the local node. Caller holds the services lock. */
export async function provisionOpenSearch(
  paths: ServicePaths,
  log: Log,
): Promise<OpenSearchEndpoint> {
  if (process.env.OPENSEARCH_URL) return useExternalOpenSearch(process.env.OPENSEARCH_URL, log);

  const previous = readOpenSearchState(paths.opensearchStateFile);
  if (isRunning(previous)) {
    const reused = await reuseRunningNode(paths, previous, log);
    if (reused) return reused;
  }

  const runtime = chooseRuntime(
    discoverJdks(),
    process.env.AUDITLOG_OPENSEARCH_VERSION,
    realJavaHome(),
  );
  const distribution = await prepareDistribution(paths, runtime.version, runtime.jdk, log);
  const httpPort = await chooseHttpPort(log);
  const transportPort = await findFreePort(DEFAULT_TRANSPORT_PORT, [httpPort]);
  const state = await launchNode(
    paths,
    {
      url: `http://127.0.0.1:${httpPort}`,
      httpPort,
      transportPort,
      version: runtime.version,
      javaHome: runtime.jdk.home,
      javaMajor: runtime.jdk.major,
      ismAvailable: distribution.ismAvailable,
      distributionHome: distribution.home,
      nodeDir: nodeLayout(paths.servicesDir, runtime.version).nodeDir,
      user: isRoot() ? OPENSEARCH_SYSTEM_USER : os.userInfo().username,
    },
    log,
  );
  log(`opensearch: started ${describeNode(state)}`);
  return { url: state.url, ismAvailable: state.ismAvailable, outcome: 'started' };
}

/** Stops the local node if it runs. Caller holds the services lock. */
export async function shutdownOpenSearch(paths: ServicePaths, log: Log): Promise<boolean> {
  if (process.env.OPENSEARCH_URL) {
    log('opensearch: external (OPENSEARCH_URL), nothing to stop');
    return false;
  }
  const state = readOpenSearchState(paths.opensearchStateFile);
  if (!isRunning(state)) {
    log('opensearch: not running');
    if (state?.pid) writeOpenSearchState(paths.opensearchStateFile, { ...state, pid: null });
    return false;
  }
  await terminateProcess(state.pid, OPENSEARCH_PROCESS_MARKER, STOP_GRACE_MS);
  writeOpenSearchState(paths.opensearchStateFile, { ...state, pid: null });
  log(`opensearch: stopped ${state.version} (pid ${state.pid})`);
  return true;
}

/**
 * Stops the local node, keeping its data, port and configuration for startOpenSearch().
 * Meant for fault-injection tests.
 */
export function stopOpenSearch(opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    await shutdownOpenSearch(paths, log);
  });
}

/**
 * Starts the node that ensureServices() provisioned, again on the same port and data dir,
 * and waits until it is yellow. A no-op when it already runs.
 */
export function startOpenSearch(opts: { log?: Log } = {}): Promise<OpenSearchState> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    const state = readOpenSearchState(paths.opensearchStateFile);
    if (!state)
      throw new Error('no OpenSearch node was provisioned yet: run ensureServices() first');
    if (isRunning(state)) return state;
    if (!(await isPortFree(state.httpPort))) {
      throw new Error(
        `cannot restart OpenSearch: port ${state.httpPort} is taken by another process`,
      );
    }
    const { pid: _pid, startedAt: _startedAt, ...plan } = state;
    const started = await launchNode(paths, plan, log);
    log(`opensearch: started ${describeNode(started)}`);
    return started;
  });
}

/** Human-readable lines for `status`. */
export async function describeOpenSearch(paths: ServicePaths): Promise<string[]> {
  if (process.env.OPENSEARCH_URL) {
    const url = process.env.OPENSEARCH_URL.replace(/\/+$/, '');
    const reachable = await answers(url);
    return [
      `opensearch: external at ${redactUrl(url)} (${reachable ? 'answering' : 'NOT answering'})`,
    ];
  }
  const state = readOpenSearchState(paths.opensearchStateFile);
  if (!state) return ['opensearch: not provisioned (run services up)'];
  const layout = nodeLayout(paths.servicesDir, state.version);
  const details = [
    `  node dir: ${state.nodeDir}`,
    `  distribution: ${state.distributionHome}`,
    `  console log: ${layout.consoleLog}`,
  ];
  if (!isRunning(state)) return [`opensearch: stopped (${describeNode(state)})`, ...details];
  let health: string;
  try {
    health = await clusterHealthStatus(state.url);
  } catch (error) {
    health = `not answering: ${(error as Error).message}`;
  }
  return [
    `opensearch: running ${describeNode(state)}`,
    `  pid: ${state.pid} as ${state.user}, started ${state.startedAt}, health: ${health}`,
    ...details,
  ];
}
