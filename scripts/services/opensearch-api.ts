import { httpGet, httpGetJson } from './http-client';

interface ClusterHealth {
  cluster_name: string;
  status: string;
  timed_out: boolean;
}

interface CatPlugin {
  component: string;
}

interface RootInfo {
  version: { number: string };
}

/**
 * True once the cluster reports yellow or green (and, if given, has the expected name);
 * false if it answers but is not there yet.
 */
export async function isClusterHealthy(
  url: string,
  waitSeconds: number,
  expectedClusterName?: string,
): Promise<boolean> {
  const response = await httpGet(
    `${url}/_cluster/health?wait_for_status=yellow&timeout=${waitSeconds}s`,
    (waitSeconds + 5) * 1000,
  );
  if (response.status !== 200) return false;
  const health = JSON.parse(response.body) as ClusterHealth;
  if (expectedClusterName && health.cluster_name !== expectedClusterName) return false;
  return !health.timed_out;
}

export async function clusterHealthStatus(url: string): Promise<string> {
  return (await httpGetJson<ClusterHealth>(`${url}/_cluster/health`, 5_000)).status;
}

export async function hasPlugin(url: string, plugin: string): Promise<boolean> {
  const plugins = await httpGetJson<CatPlugin[]>(`${url}/_cat/plugins?format=json`, 10_000);
  return plugins.some((entry) => entry.component === plugin);
}

export async function serverVersion(url: string): Promise<string> {
  return (await httpGetJson<RootInfo>(url, 10_000)).version.number;
}
