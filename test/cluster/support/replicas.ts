import * as path from 'node:path';
import type { Env } from '@auditlog/config';
import { type AppProcess, type ProcessKind, startProcess } from '@auditlog/testing';

/** Every process kind the appliance runs, two of each, as an operator would scale out. */
export interface Replicas {
  ingest: AppProcess[];
  query: AppProcess[];
  export: AppProcess[];
  'export-worker': AppProcess[];
  maintenance: AppProcess[];
}

export const KINDS: ProcessKind[] = ['ingest', 'query', 'export', 'export-worker', 'maintenance'];

/** Starts one more process of `kind`, its output in `<logDir>/<kind>-<n>.log`. */
export function startReplica(
  kind: ProcessKind,
  env: Env,
  logDir: string,
  number: number,
): Promise<AppProcess> {
  return startProcess(
    kind,
    kind === 'maintenance' ? { ...env, MAINTENANCE_HEALTH_PORT: '0' } : env,
    { logFile: path.join(logDir, `${kind}-${number}.log`), startTimeoutMs: 180_000 },
  );
}

/** Two replicas of every kind; one kind at a time, so start-up does not starve two cores. */
export async function startReplicas(env: Env, logDir: string, started: AppProcess[]) {
  const replicas = {} as Replicas;
  for (const kind of KINDS) {
    replicas[kind] = [];
    for (const number of [1, 2]) {
      const replica = await startReplica(kind, env, logDir, number);
      started.push(replica);
      replicas[kind].push(replica);
    }
  }
  return replicas;
}
