import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';

/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every mainstream build). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuMicros: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: split after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields from the state on: state(3) ppid(4) … utime(14) stime(15), so index = n - 3.
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { pid, ppid, cpuMicros: (ticks * 1e6) / TICKS_PER_SECOND };
}

/**
 * User + system CPU of a process and all its live descendants (cluster workers), in
 * microseconds, read from /proc. A window's cost is the difference of two readings.
 */
export function processTreeCpuMicros(root: number): number {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  let total = 0;
  const pending = [root];
  const self = stats.find((stat) => stat.pid === root);
  if (self) total += self.cpuMicros;
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    for (const child of children.get(pid) ?? []) {
      total += child.cpuMicros;
      pending.push(child.pid);
    }
  }
  return total;
}

/** OpenSearch's own process CPU (all nodes), in microseconds, from the node stats API. */
export async function openSearchCpuMicros(client: Client): Promise<number> {
  const { body } = await client.nodes.stats({ metric: ['process'] });
  const nodes = Object.values(
    body.nodes as Record<string, { process?: { cpu?: { total_in_millis?: number } } }>,
  );
  return nodes.reduce((sum, node) => sum + (node.process?.cpu?.total_in_millis ?? 0) * 1000, 0);
}

export interface CpuWindow {
  /** Ingest app CPU (µs) over the window, all its processes. */
  appMicros: number;
  /** OpenSearch CPU (µs) over the window. */
  openSearchMicros: number;
  /** The benchmark process itself (the load generator), µs. */
  loadMicros: number;
  seconds: number;
}

/** Measures CPU of the app tree, OpenSearch and this process around `work`. */
export async function measureCpu<T>(
  client: Client,
  appPid: number | undefined,
  work: () => Promise<T>,
): Promise<{ value: T; cpu: CpuWindow }> {
  const appBefore = appPid === undefined ? 0 : processTreeCpuMicros(appPid);
  const osBefore = await openSearchCpuMicros(client);
  const loadBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const value = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const load = process.cpuUsage(loadBefore);
  const appAfter = appPid === undefined ? 0 : processTreeCpuMicros(appPid);
  const osAfter = await openSearchCpuMicros(client);
  return {
    value,
    cpu: {
      appMicros: appAfter - appBefore,
      openSearchMicros: osAfter - osBefore,
      loadMicros: load.user + load.system,
      seconds,
    },
  };
}
