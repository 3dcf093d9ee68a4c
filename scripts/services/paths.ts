import * as os from 'node:os';
import * as path from 'node:path';

/** System account that runs OpenSearch when we are root (OpenSearch refuses to run as root). */
export const OPENSEARCH_SYSTEM_USER = 'auditlog';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface ServicePaths {
  /** Downloads and extracted distributions; safe to share between checkouts. */
  cacheDir: string;
  downloadsDir: string;
  /** Node data, logs, config and state of the running services. */
  servicesDir: string;
  lockFile: string;
  opensearchStateFile: string;
  redisStateFile: string;
  redisDir: string;
}

// As root, everything OpenSearch touches must live outside /root (mode 700), so that the
// unprivileged system user can reach it.
function defaultCacheDir(): string {
  if (isRoot()) return '/var/cache/auditlog';
  const xdgCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdgCache, 'auditlog');
}

function defaultServicesDir(): string {
  if (isRoot()) return '/var/tmp/auditlog-services';
  const xdgState = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdgState, 'auditlog-services');
}

export function servicePaths(): ServicePaths {
  const cacheDir = path.resolve(process.env.AUDITLOG_CACHE_DIR || defaultCacheDir());
  const servicesDir = path.resolve(process.env.AUDITLOG_SERVICES_DIR || defaultServicesDir());
  return {
    cacheDir,
    downloadsDir: path.join(cacheDir, 'downloads'),
    servicesDir,
    lockFile: path.join(servicesDir, 'services.lock'),
    opensearchStateFile: path.join(servicesDir, 'opensearch.json'),
    redisStateFile: path.join(servicesDir, 'redis.json'),
    redisDir: path.join(servicesDir, 'redis'),
  };
}
