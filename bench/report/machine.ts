import * as os from 'node:os';
import type { Machine } from './results';

async function opensearchVersion(url: string): Promise<string> {
  try {
    const response = await fetch(url);
    const body = (await response.json()) as { version?: { number?: string } };
    return body.version?.number ?? 'unknown';
  } catch {
    return 'unreachable';
  }
}

/** Facts about the machine a results set came from. */
export async function describeMachine(opensearchUrl: string): Promise<Machine> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
    opensearch: await opensearchVersion(opensearchUrl),
  };
}
