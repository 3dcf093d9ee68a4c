import { withServicesLock } from './lock';
import { type Log, stderrLog } from './log';
import { describeOpenSearch, provisionOpenSearch, shutdownOpenSearch } from './opensearch';
import { servicePaths } from './paths';
import { describeRedis, provisionRedis, shutdownRedis } from './redis';

export { startOpenSearch, stopOpenSearch } from './opensearch';
export type { OpenSearchState } from './opensearch';

export interface ServiceEndpoints {
  opensearchUrl: string;
  redisUrl: string;
  /** Whether the OpenSearch ISM plugin is installed; without it retention uses the built-in sweeper. */
  ismAvailable: boolean;
  /** Services this call started (as opposed to reused or external ones). */
  started: string[];
}

export interface ServicesOptions {
  log?: Log;
}

/**
 * Makes sure OpenSearch and Redis run locally (or uses OPENSEARCH_URL / REDIS_URL) and
 * returns where they are. Idempotent, and safe to call from several processes at once.
 */
export function ensureServices(opts: ServicesOptions = {}): Promise<ServiceEndpoints> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    const opensearch = await provisionOpenSearch(paths, log);
    const redis = await provisionRedis(paths, log);
    const started = [
      ...(opensearch.outcome === 'started' ? ['opensearch'] : []),
      ...(redis.outcome === 'started' ? ['redis'] : []),
    ];
    return {
      opensearchUrl: opensearch.url,
      redisUrl: redis.url,
      ismAvailable: opensearch.ismAvailable,
      started,
    };
  });
}

/** Stops what ensureServices started; a Redis it merely reused keeps running. Data is kept. */
export function stopServices(opts: ServicesOptions = {}): Promise<void> {
  const log = opts.log ?? stderrLog;
  const paths = servicePaths();
  return withServicesLock(paths.lockFile, log, async () => {
    await shutdownOpenSearch(paths, log);
    await shutdownRedis(paths, log);
  });
}

/** Human-readable description of the services and where their files live. */
export async function describeServices(): Promise<string[]> {
  const paths = servicePaths();
  return [
    ...(await describeOpenSearch(paths)),
    ...(await describeRedis(paths)),
    `cache dir: ${paths.cacheDir}`,
    `services dir: ${paths.servicesDir}`,
  ];
}
