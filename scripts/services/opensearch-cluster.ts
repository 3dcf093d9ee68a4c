import * as os from 'node:os';
import * as path from 'node:path';
import { httpGetJson } from './http-client';
import { discoverJdks } from './java';
import { readJsonFile, writeJsonFile } from './json-files';
import { withServicesLock } from './lock';
import { type Log, stderrLog } from './log';
import { hasPlugin } from './opensearch-api';
import { prepareDistribution } from './opensearch-distribution';
import {
  awaitStartup,
  prepareNodeOwnership,
  spawnNode,
  type StartingNode,
} from './opensearch-launch';
import {
  type ClusterMembership,
  heapOptions,
  nodeLayout,
  type NodeLayout,
  writeNodeConfig,
} from './opensearch-node-config';
import { realJavaHome } from './opensearch';
import { chooseRuntime } from './opensearch-release';
import { OPENSEARCH_PROCESS_MARKER } from './opensearch-state';
import { isRoot, OPENSEARCH_SYSTEM_USER, type ServicePaths, servicePaths } from './paths';
import { isPortFree } from './ports';
import { isProcessRunning, sendSignal, terminateProcess, waitForProcessExit } from './processes';

/** Loopback ports that stay clear of the single node (9200/9300) and the secured test node. */
const DEFAULT_HTTP_BASE = 9211;
const TRANSPORT_OFFSET = 100;
const CLUSTER_NAME = 'auditlog-cluster';
/** Three nodes of this heap fit a small machine next to the single node. */
const DEFAULT_CLUSTER_HEAP = '512m';
const STOP_GRACE_MS = 30_000;

export interface ClusterNodeState {
  name: string;
  url: string;
  httpPort: number;
  transportPort: number;
  nodeDir: string;
  /** Pid of the node's JVM; null while stopped. */
  pid: number | null;
}

/** What `up --nodes N` recorded about the cluster, so later commands can reuse or stop it. */
export interface ClusterState {
  version: string;
  javaHome: string;
  javaMajor: number;
  ismAvailable: boolean;
  distributionHome: string;
  user: string;
  heap: string;
  nodes: ClusterNodeState[];
  startedAt: string | null;
}

export interface ClusterEndpoint {
  urls: string[];
  ismAvailable: boolean;
  outcome: 'started' | 'reused';
}

interface ClusterHealth {
  cluster_name: string;
  status: string;
  number_of_nodes: number;
  timed_out: boolean;
}

export function clusterStateFile(paths: ServicePaths): string {
  return path.join(paths.servicesDir, 'opensearch-cluster.json');
}

function readClusterState(paths: ServicePaths): ClusterState | undefined {
  return readJsonFile<ClusterState>(clusterStateFile(paths));
}

function writeClusterState(paths: ServicePaths, state: ClusterState): void {
  writeJsonFile(clusterStateFile(paths), state);
}

function layoutOf(paths: ServicePaths, state: Pick<ClusterState, 'version'>, name: string) {
  return nodeLayout(path.join(paths.servicesDir, 'opensearch-cluster', name), state.version);
}

function firstNode(state: ClusterState): ClusterNodeState {
  const [first] = state.nodes;
  if (!first) throw new Error('the cluster state lists no node');
  return first;
}

function nodeRuns(node: ClusterNodeState): node is ClusterNodeState & { pid: number } {
  return node.pid !== null && isProcessRunning(node.pid, OPENSEARCH_PROCESS_MARKER);
}

function httpBase(): number {
  const value = process.env.AUDITLOG_CLUSTER_PORT;
  if (!value) return DEFAULT_HTTP_BASE;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port + TRANSPORT_OFFSET + 9 > 65_535) {
    throw new Error(`AUDITLOG_CLUSTER_PORT must be a TCP port number, got "${value}"`);
  }
  return port;
}

/** The cluster's health as one node sees it; undefined when that node does not answer. */
async function healthFrom(url: string, query = ''): Promise<ClusterHealth | undefined> {
  try {
    return await httpGetJson<ClusterHealth>(`${url}/_cluster/health${query}`, 15_000);
  } catch {
    return undefined;
  }
}

/** Every node has joined, the cluster is ours, and it is yellow or better. */
async function isWhole(url: string, nodes: number): Promise<boolean> {
  const health = await healthFrom(
    url,
    `?wait_for_nodes=${nodes}&wait_for_status=yellow&timeout=1s`,
  );
  return !!health && health.cluster_name === CLUSTER_NAME && !health.timed_out;
}

function membership(state: ClusterState, node: ClusterNodeState): ClusterMembership {
  return {
    clusterName: CLUSTER_NAME,
    nodeName: node.name,
    nodeNames: state.nodes.map((member) => member.name),
    seedHosts: state.nodes.map((member) => `127.0.0.1:${member.transportPort}`),
  };
}

async function spawnMember(
  paths: ServicePaths,
  state: ClusterState,
  node: ClusterNodeState,
  log: Log,
): Promise<{ starting: StartingNode; layout: NodeLayout }> {
  for (const port of [node.httpPort, node.transportPort]) {
    if (!(await isPortFree(port))) {
      throw new Error(`cannot start ${node.name}: port ${port} is taken by another process`);
    }
  }
  const layout = layoutOf(paths, state, node.name);
  writeNodeConfig(layout, {
    distributionHome: state.distributionHome,
    httpPort: node.httpPort,
    transportPort: node.transportPort,
    ismAvailable: state.ismAvailable,
    cluster: membership(state, node),
  });
  await prepareNodeOwnership(paths.servicesDir, layout.nodeDir, log);
  const starting = spawnNode({
    distributionHome: state.distributionHome,
    javaHome: state.javaHome,
    layout,
    javaOpts: heapOptions(state.heap),
  });
  return { starting, layout };
}

/** Starts the stopped members of the cluster and waits until all of them have joined. */
async function startMembers(
  paths: ServicePaths,
  state: ClusterState,
  names: string[],
  log: Log,
): Promise<void> {
  const members = state.nodes.filter((node) => names.includes(node.name));
  const launches = [];
  for (const node of members) launches.push(await spawnMember(paths, state, node, log));
  // A member that kept running sees the others join; without one, every starter checks.
  const probe = state.nodes.find((node) => !names.includes(node.name));
  const pids = await awaitStartup(
    launches,
    async () => {
      for (const node of members) if (!(await isWhole(node.url, state.nodes.length))) return false;
      return !probe || isWhole(probe.url, state.nodes.length);
    },
    log,
  );
  members.forEach((node, index) => (node.pid = pids[index] ?? null));
  state.startedAt = new Date().toISOString();
  writeClusterState(paths, state);
}

function newClusterState(
  paths: ServicePaths,
  size: number,
  runtime: ReturnType<typeof chooseRuntime>,
  distribution: { home: string; ismAvailable: boolean },
): ClusterState {
  const base = httpBase();
  const version = runtime.version;
  const nodes = Array.from({ length: size }, (_, index): ClusterNodeState => {
    const name = `node-${index + 1}`;
    const httpPort = base + index;
    return {
      name,
      url: `http://127.0.0.1:${httpPort}`,
      httpPort,
      transportPort: httpPort + TRANSPORT_OFFSET,
      nodeDir: layoutOf(paths, { version }, name).nodeDir,
      pid: null,
    };
  });
  return {
    version,
    javaHome: runtime.jdk.home,
    javaMajor: runtime.jdk.major,
    ismAvailable: distribution.ismAvailable,
    distributionHome: distribution.home,
    user: isRoot() ? OPENSEARCH_SYSTEM_USER : os.userInfo().username,
    heap: process.env.AUDITLOG_OPENSEARCH_HEAP || DEFAULT_CLUSTER_HEAP,
    nodes,
    startedAt: null,
  };
}

/**
 * Reuses, or configures and starts, a local cluster of `size` nodes from the cached
 * distribution (all cluster-manager eligible, data in a dir of each node's own). A
 * cluster of another size is stopped and made anew. Caller holds the services lock.
 */
export async function provisionCluster(
  paths: ServicePaths,
  size: number,
  log: Log,
): Promise<ClusterEndpoint> {
  const previous = readClusterState(paths);
  if (previous && previous.nodes.length === size) {
    const stopped = previous.nodes.filter((node) => !nodeRuns(node)).map((node) => node.name);
    const first = firstNode(previous);
    if (stopped.length === 0 && (await isWhole(first.url, size))) {
      log(`opensearch: reused cluster of ${size} at ${describeUrls(previous)}`);
      return {
        urls: previous.nodes.map((node) => node.url),
        ismAvailable: await hasPlugin(first.url, 'opensearch-index-management'),
        outcome: 'reused',
      };
    }
    if (stopped.length > 0 && stopped.length < size) {
      await startMembers(paths, previous, stopped, log);
      log(
        `opensearch: restarted ${stopped.join(', ')} of the cluster at ${describeUrls(previous)}`,
      );
      return {
        urls: previous.nodes.map((node) => node.url),
        ismAvailable: previous.ismAvailable,
        outcome: 'started',
      };
    }
  }
  if (previous) await shutdownClusterNodes(paths, previous, log);

  const runtime = chooseRuntime(
    discoverJdks(),
    process.env.AUDITLOG_OPENSEARCH_VERSION,
    realJavaHome(),
  );
  const distribution = await prepareDistribution(paths, runtime.version, runtime.jdk, log);
  const state = newClusterState(paths, size, runtime, distribution);
  if (previous && previous.version === state.version && previous.nodes.length !== size) {
    log(
      `opensearch: the cluster had ${previous.nodes.length} nodes; its data is kept but not used`,
    );
  }
  await startMembers(
    paths,
    state,
    state.nodes.map((node) => node.name),
    log,
  );
  log(
    `opensearch: started cluster of ${size} (${state.version}, java ${state.javaMajor}, heap ${state.heap} each) at ${describeUrls(state)}`,
  );
  return {
    urls: state.nodes.map((node) => node.url),
    ismAvailable: state.ismAvailable,
    outcome: 'started',
  };
}

function describeUrls(state: ClusterState): string {
  return state.nodes.map((node) => node.url).join(',');
}

async function shutdownClusterNodes(paths: ServicePaths, state: ClusterState, log: Log) {
  await Promise.all(
    state.nodes.filter(nodeRuns).map(async (node) => {
      await terminateProcess(node.pid, OPENSEARCH_PROCESS_MARKER, STOP_GRACE_MS);
      log(`opensearch: stopped cluster ${node.name} (pid ${node.pid})`);
    }),
  );
  for (const node of state.nodes) node.pid = null;
  writeClusterState(paths, state);
}

/** Stops every node of the local cluster (data is kept). Caller holds the services lock. */
export async function shutdownCluster(paths: ServicePaths, log: Log): Promise<boolean> {
  const state = readClusterState(paths);
  if (!state || !state.nodes.some(nodeRuns)) {
    log('opensearch: no cluster running');
    return false;
  }
  await shutdownClusterNodes(paths, state, log);
  return true;
}

/** The cluster as `up --nodes` left it, or an error naming the command that makes it. */
function requireCluster(paths: ServicePaths): ClusterState {
  const state = readClusterState(paths);
  if (!state) throw new Error('no cluster was provisioned: run services up --nodes 3 first');
  return state;
}

function member(state: ClusterState, name: string): ClusterNodeState {
  const node = state.nodes.find((candidate) => candidate.name === name);
  if (!node) throw new Error(`the cluster has no node ${name}`);
  return node;
}

/** SIGKILLs one node's JVM (no flush, no clean shutdown) and waits until it is gone. */
export function killClusterNode(name: string, opts: { log?: Log } = {}): Promise<void> {
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, opts.log ?? stderrLog, async () => {
    const state = requireCluster(paths);
    const node = member(state, name);
    const pid = node.pid;
    if (pid === null || !isProcessRunning(pid, OPENSEARCH_PROCESS_MARKER)) {
      throw new Error(`cluster ${name} is not running`);
    }
    sendSignal(pid, 'SIGKILL');
    if (!(await waitForProcessExit(pid, 30_000, OPENSEARCH_PROCESS_MARKER))) {
      throw new Error(`cluster ${name} (pid ${pid}) survived SIGKILL`);
    }
    node.pid = null;
    writeClusterState(paths, state);
  });
}

/** Starts one stopped node again on its ports and data, and waits until it has rejoined. */
export function startClusterNode(name: string, opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    const state = requireCluster(paths);
    if (nodeRuns(member(state, name))) return;
    await startMembers(paths, state, [name], log);
  });
}

/** Human-readable lines for `status`; none when no cluster was ever provisioned. */
export async function describeCluster(paths: ServicePaths): Promise<string[]> {
  const state = readClusterState(paths);
  if (!state) return [];
  const running = state.nodes.filter(nodeRuns);
  const health = running[0] ? await healthFrom(running[0].url) : undefined;
  return [
    `opensearch cluster: ${running.length} of ${state.nodes.length} nodes running (${state.version}, heap ${state.heap} each)` +
      (health ? `, health: ${health.status}, ${health.number_of_nodes} joined` : ''),
    ...state.nodes.map(
      (node) =>
        `  ${node.name}: ${node.url} transport ${node.transportPort}, ${nodeRuns(node) ? `pid ${node.pid}` : 'stopped'}, dir ${node.nodeDir}`,
    ),
  ];
}
