import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { MetricsService, REDIS_CLIENT } from '@auditlog/platform';
import { OpenSearchHealth } from '@auditlog/opensearch';
import { MaintenanceQueue } from '../maintenance-queue.service';
import { MaintenanceProcessor } from '../maintenance.processor';

const CHECK_TIMEOUT_MS = 3_000;

type Check = { status: 'up' } | { status: 'down'; message: string };

async function probe(check: () => Promise<void>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The maintenance worker has no API. Kubernetes probes an HTTP endpoint better than a file
 * (no exec probe, no shell in the image), so this tiny server on an internal port
 * (`MAINTENANCE_HEALTH_PORT`, 0 = none) answers only `/health/live` (the worker loop is
 * alive), `/health/ready` (OpenSearch, Redis, the worker and its job schedulers) and
 * `/metrics` (Prometheus), in the same shapes as the apps' endpoints. Nothing else is
 * served on it.
 */
@Injectable()
export class MaintenanceHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceHealthServer.name);
  private server?: Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly opensearch: OpenSearchHealth,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly processor: MaintenanceProcessor,
    private readonly queue: MaintenanceQueue,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.maintenance.healthPort;
    if (port === 0) return;
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.warn(`health request failed: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`health on http://${this.config.host}:${port}/health/ready`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const [path = '/'] = (request.url ?? '/').split('?');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/health/live':
        return this.answer(response, { worker: this.workerCheck(this.processor.alive) });
      case '/health/ready':
        return this.answer(response, {
          worker: this.workerCheck(this.processor.running),
          schedules: this.queue.schedulesInstalled
            ? { status: 'up' }
            : { status: 'down', message: 'the job schedulers are not installed yet' },
          opensearch: await probe(() => this.opensearch.check()),
          redis: await probe(async () => {
            if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
          }),
        });
      case '/metrics':
        response.writeHead(200, { 'content-type': this.metrics.registry.contentType });
        response.end(await this.metrics.registry.metrics());
        return;
      default:
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 404, title: 'Not Found' }));
    }
  }

  private workerCheck(ok: boolean): Check {
    return ok
      ? { status: 'up' }
      : { status: 'down', message: 'the maintenance worker is not running' };
  }

  private answer(response: ServerResponse, checks: Record<string, Check>): void {
    const up = Object.values(checks).every((check) => check.status === 'up');
    const info = Object.fromEntries(Object.entries(checks).filter(([, c]) => c.status === 'up'));
    const error = Object.fromEntries(Object.entries(checks).filter(([, c]) => c.status !== 'up'));
    response.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: up ? 'ok' : 'error', info, error, details: checks }));
  }
}
