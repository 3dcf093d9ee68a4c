import 'reflect-metadata';
import cluster from 'node:cluster';
import { type AppConfig, loadConfigOrExit } from '@auditlog/config';
import { createApp, listen } from '@auditlog/platform';
import { IngestModule } from './ingest.module';

/** A worker that exits this soon after its start is not restarted (a boot failure loop). */
const MIN_WORKER_LIFETIME_MS = 5000;

function logLine(level: 'info' | 'warn' | 'error', msg: string): void {
  const levels = { info: 30, warn: 40, error: 50 };
  process.stdout.write(
    `${JSON.stringify({ level: levels[level], time: Date.now(), app: 'ingest', pid: process.pid, role: 'primary', msg })}\n`,
  );
}

/**
 * `INGEST_WORKERS` > 1: this process only forks that many ingest processes, which share
 * the port (node:cluster hands each new connection to the next worker), restarts one
 * that dies, and on SIGTERM/SIGINT passes the signal on and waits for all to drain. Each
 * worker has its own group commit, caches and metrics (docs/performance.md).
 */
function runPrimary(config: AppConfig): void {
  const count = config.ingest.workers;
  const started = new Map<number, number>();
  let stopping = false;
  const fork = (): void => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) {
      if (started.size === 0) process.exit(0);
      return;
    }
    if (lived < MIN_WORKER_LIFETIME_MS) {
      logLine(
        'error',
        `ingest worker ${worker.process.pid} exited at start (${signal ?? code}); stopping`,
      );
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      if (started.size === 0) process.exit(1);
      return;
    }
    logLine(
      'warn',
      `ingest worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
    );
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      if (started.size === 0) process.exit(0);
    });
  }
  logLine('info', `starting ${count} ingest workers on port ${config.port}`);
  for (let i = 0; i < count; i++) fork();
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest');
  if (config.ingest.workers > 1 && cluster.isPrimary) {
    runPrimary(config);
    return;
  }
  const app = await createApp(IngestModule.forRoot(config), IngestModule.httpOptions);
  await listen(app, config);
}

void main();
