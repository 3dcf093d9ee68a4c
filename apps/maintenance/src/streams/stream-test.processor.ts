import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { type AuditEvent, eventHash, SCHEMA_VERSION } from '@auditlog/events';
import {
  STREAM_TEST_QUEUE,
  type StreamTestJobData,
  type StreamTestJobResult,
  StreamRepository,
} from '@auditlog/streams';
import { maintenanceWorkerConnection } from '../maintenance-queue';
import { StreamSenders } from './stream-senders';

/** The event `POST /v1/admin/streams/{id}/test` sends: marked as a test, valid like any. */
export function streamTestEvent(companyId: string | null, now = new Date()): AuditEvent {
  const at = now.toISOString();
  const event: Omit<AuditEvent, 'hash'> = {
    id: `stream-test-${randomUUID()}`,
    timestamp: at,
    received_at: at,
    company_id: companyId ?? 'auditlog',
    action: 'audit_log.stream_tested',
    category: 'audit_log',
    operation: 'execute',
    actor: { id: 'auditlog', type: 'system', name: 'Audit Log Appliance' },
    outcome: 'success',
    description: 'Test delivery of an audit log stream',
    schema_version: SCHEMA_VERSION,
  };
  return { ...event, hash: eventHash(event) };
}

/**
 * Answers the admin API's test deliveries (the query app makes no outbound connection):
 * one test event to the stream's destination, through the same sender and egress guard
 * as the stream itself; the job's result is the destination's answer.
 */
@Injectable()
export class StreamTestProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamTestProcessor.name);
  private connection?: Redis;
  private worker?: Worker<StreamTestJobData, StreamTestJobResult>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: StreamRepository,
    private readonly senders: StreamSenders,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = maintenanceWorkerConnection(this.config);
    this.worker = new Worker<StreamTestJobData, StreamTestJobResult>(
      STREAM_TEST_QUEUE,
      (job) => this.test(job),
      { connection: this.connection, prefix: this.config.redis.keyPrefix, concurrency: 4 },
    );
    this.worker.on('error', (error) => this.logger.warn(`stream test worker: ${String(error)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    this.connection?.disconnect();
  }

  private async test(job: Job<StreamTestJobData>): Promise<StreamTestJobResult> {
    const found = await this.repository.get(job.data.stream_id);
    if (!found) return { kind: 'rejected', error: 'the stream no longer exists' };
    let destination;
    try {
      destination = this.senders.create(this.repository.decryptDestination(found.stream));
    } catch (error) {
      return { kind: 'rejected', error: error instanceof Error ? error.message : String(error) };
    }
    try {
      return await destination.deliver([streamTestEvent(found.stream.company_id)]);
    } finally {
      await destination.close().catch(() => undefined);
    }
  }
}
