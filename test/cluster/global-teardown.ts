import { stopServices } from '../../scripts/services';
import { CLUSTER_NODES } from './global-setup';

/** Stops the cluster that the setup started; a cluster that was already running stays. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.AUDITLOG_CLUSTER_STARTED_BY_TESTS !== 'true') return;
  await stopServices({
    nodes: CLUSTER_NODES,
    log: (line) => process.stdout.write(`[services] ${line}\n`),
  });
}
