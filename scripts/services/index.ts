import { withServicesLock } from './lock';
import { type Log, stderrLog } from './log';
import { describeOpenSearch, provisionOpenSearch, shutdownOpenSearch } from './opensearch';
import { describeCluster, provisionCluster, shutdownCluster } from './opensearch-cluster';
import { servicePaths } from './paths';
import { describeRedis, provisionRedis, shutdownRedis } from './redis';

export { startOpenSearch, stopOpenSearch } from './opensearch';
export { killClusterNode, startClusterNode } from './opensearch-cluster';
export type { OpenSearchState } from './opensearch';

export interface ServiceEndpoints {
  /** The node's URL, or every cluster node's, comma-separated (as OPENSEARCH_URL takes them). */
  opensearchUrl: string;
  /** Replicas per events index the OpenSearch can place: 0 on one node, 1 on a cluster. */
  indexReplicas: number;
  redisUrl: string;
  /** Whether the OpenSearch ISM plugin is installed; without it retention uses the built-in sweeper. */
  ismAvailable: boolean;
  /** Services this call started (as opposed to reused or external ones). */
  started: string[];
}

export interface ServicesOptions {
  log?: Log;
  /** More than 1: a local cluster of that many nodes instead of the single node. */
  nodes?: number;
}

async function provisionSearch(
  paths: ReturnType<typeof servicePaths>,
  opts: ServicesOptions,
  log: Log,
) {
  const nodes = opts.nodes ?? 1;
  if (nodes <= 1 || process.env.OPENSEARCH_URL) {
    const single = await provisionOpenSearch(paths, log);
    return { ...single, replicas: 0 };
  }
  const cluster = await provisionCluster(paths, nodes, log);
  return {
    url: cluster.urls.join(','),
    ismAvailable: cluster.ismAvailable,
    outcome: cluster.outcome,
    replicas: 1,
  };
}

/**
 * Makes sure OpenSearch and Redis run locally (or uses OPENSEARCH_URL / REDIS_URL) and
 * returns where they are. Idempotent, and safe to call from several processes at once.
 */
export function ensureServices(opts: ServicesOptions = {}): Promise<ServiceEndpoints> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    const opensearch = await provisionSearch(paths, opts, log);
    const redis = await provisionRedis(paths, log);
    const started = [
      ...(opensearch.outcome === 'started' ? ['opensearch'] : []),
      ...(redis.outcome === 'started' ? ['redis'] : []),
    ];
    return {
      opensearchUrl: opensearch.url,
      indexReplicas: opensearch.replicas,
      redisUrl: redis.url,
      ismAvailable: opensearch.ismAvailable,
      started,
    };
  });
}

/**
 * Stops what ensureServices started; a Redis it merely reused keeps running. Data is kept.
 * With `nodes` above 1 only the local cluster is stopped.
 */
export function stopServices(opts: ServicesOptions = {}): Promise<void> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    if ((opts.nodes ?? 1) > 1) {
      await shutdownCluster(paths, log);
      return;
    }
    await shutdownOpenSearch(paths, log);
    await shutdownCluster(paths, log);
    await shutdownRedis(paths, log);
  });
}

/** Human-readable description of the services and where their files live. */
export async function describeServices(): Promise<string[]> {
  const paths = servicePaths();
  return [
    ...(await describeOpenSearch(paths)),
    ...(await describeCluster(paths)),
    ...(await describeRedis(paths)),
    `cache dir: ${paths.cacheDir}`,
    `services dir: ${paths.servicesDir}`,
  ];
}
