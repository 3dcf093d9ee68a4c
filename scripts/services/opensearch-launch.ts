import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from './log';
import { type NodeLayout } from './opensearch-node-config';
import { OPENSEARCH_PROCESS_MARKER } from './opensearch-state';
import { isRoot, OPENSEARCH_SYSTEM_USER } from './paths';
import { isProcessRunning, readPidFile, sendSignal, sleep, tailFile } from './processes';
import { chownRecursive, ensureSystemUser } from './system-user';

export const STARTUP_TIMEOUT_MS = 180_000;
const LOG_TAIL_LINES = 40;

export interface NodeLaunch {
  distributionHome: string;
  javaHome: string;
  layout: NodeLayout;
  /** OPENSEARCH_JAVA_OPTS, e.g. from heapOptions(). */
  javaOpts: string;
}

/** The launcher of a node that is starting: its JVM's pid once the pid file has it. */
export interface StartingNode {
  pid(): number | undefined;
  /** The JVM died, or the launcher exited without ever writing a pid. */
  failed(): boolean;
  /** Ends the JVM, or the launcher's whole process group when there is no JVM yet. */
  kill(): void;
}

/** As root, the node dir must belong to the unprivileged user that runs OpenSearch. */
export async function prepareNodeOwnership(servicesDir: string, nodeDir: string, log: Log) {
  if (!isRoot()) return;
  await ensureSystemUser(OPENSEARCH_SYSTEM_USER, log);
  fs.mkdirSync(servicesDir, { recursive: true });
  fs.chmodSync(servicesDir, 0o755); // the node dir inside must be reachable
  await chownRecursive(OPENSEARCH_SYSTEM_USER, nodeDir);
}

/** Starts bin/opensearch in the background (as the system user when root); does not wait. */
export function spawnNode(launch: NodeLaunch): StartingNode {
  const { layout, distributionHome } = launch;
  fs.rmSync(layout.pidFile, { force: true });
  const script = path.join(distributionHome, 'bin', 'opensearch');
  const scriptArgs = ['-p', layout.pidFile];
  const [command, args] = isRoot()
    ? ['runuser', ['-u', OPENSEARCH_SYSTEM_USER, '--', script, ...scriptArgs]]
    : [script, scriptArgs];
  const output = fs.openSync(layout.consoleLog, 'w');
  const launcher = spawn(command, args, {
    cwd: distributionHome, // bin/opensearch runs some helpers relative to it
    env: {
      ...process.env,
      JAVA_HOME: launch.javaHome,
      OPENSEARCH_JAVA_HOME: launch.javaHome,
      OPENSEARCH_HOME: distributionHome,
      OPENSEARCH_PATH_CONF: layout.configDir,
      OPENSEARCH_JAVA_OPTS: launch.javaOpts,
    },
    detached: true,
    stdio: ['ignore', output, output],
  });
  fs.closeSync(output);
  let launcherExited = false;
  launcher.on('exit', () => (launcherExited = true));
  launcher.on('error', () => (launcherExited = true));
  launcher.unref();
  let pid: number | undefined;
  const currentPid = () => (pid = readPidFile(layout.pidFile) ?? pid);
  return {
    pid: currentPid,
    failed: () => {
      const jvm = currentPid();
      return jvm !== undefined ? !isProcessRunning(jvm, OPENSEARCH_PROCESS_MARKER) : launcherExited;
    },
    kill: () => {
      const jvm = currentPid();
      if (jvm) sendSignal(jvm, 'SIGKILL');
      if (launcher.pid && !launcherExited) sendSignal(-launcher.pid, 'SIGKILL');
    },
  };
}

export function failStartup(layout: NodeLayout, log: Log, reason: string): never {
  log(`opensearch: ${reason}; last ${LOG_TAIL_LINES} lines of ${layout.consoleLog}:`);
  for (const line of tailFile(layout.consoleLog, LOG_TAIL_LINES)) log(`  ${line}`);
  throw new Error(`OpenSearch ${reason} (log: ${layout.consoleLog})`);
}

/**
 * Waits until every node's JVM runs and `ready()` holds; on a death or the timeout, kills
 * them all and fails with the log of the node concerned. Answers the JVMs' pids.
 */
export async function awaitStartup(
  nodes: Array<{ starting: StartingNode; layout: NodeLayout }>,
  ready: () => Promise<boolean>,
  log: Log,
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  const killAll = () => nodes.forEach((node) => node.starting.kill());
  for (;;) {
    const pids = nodes.map((node) => node.starting.pid());
    // Health alone could come from a stranger that grabbed the port; require our JVMs too.
    if (
      pids.every((pid) => pid !== undefined && isProcessRunning(pid, OPENSEARCH_PROCESS_MARKER)) &&
      (await ready())
    ) {
      return pids as number[];
    }
    const dead = nodes.find((node) => node.starting.failed());
    if (dead) {
      killAll();
      failStartup(dead.layout, log, 'exited during startup');
    }
    if (Date.now() > deadline) {
      killAll();
      const [first] = nodes;
      if (first) failStartup(first.layout, log, `did not get healthy within ${timeoutMs / 1000}s`);
      throw new Error(`OpenSearch did not get healthy within ${timeoutMs / 1000}s`);
    }
    await sleep(1000);
  }
}
