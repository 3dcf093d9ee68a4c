import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '@auditlog/redis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import {
  STREAM_TEST_JOB,
  STREAM_TEST_QUEUE,
  STREAM_TEST_TIMEOUT_MS,
  type StreamTestAnswer,
  type StreamTestJobData,
  type StreamTestJobResult,
  streamTestJobOptions,
  StreamRepository,
} from '@auditlog/streams';

interface Channel {
  queue: Queue<StreamTestJobData, StreamTestJobResult>;
  events: QueueEvents;
  connections: Redis[];
}

/**
 * `POST /v1/admin/streams/{id}/test`. The query app makes no outbound connection: the
 * maintenance worker, which holds the egress rules and the senders, sends the test event
 * and returns the destination's answer through BullMQ. The Redis connections open on the
 * first test, so an app that never tests a stream holds none.
 */
@Injectable()
export class StreamTestService implements OnApplicationShutdown {
  private readonly logger = new Logger(StreamTestService.name);
  private channel?: Promise<Channel>;

  constructor(
    private readonly repository: StreamRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async test(id: string, requestId?: string): Promise<StreamTestAnswer> {
    const found = await this.repository.get(id);
    if (!found) {
      throw new ProblemException(404, 'not-found', 'Not Found', `No stream with id ${id}.`);
    }
    const started = Date.now();
    let job: Job<StreamTestJobData, StreamTestJobResult>;
    let events: QueueEvents;
    try {
      const channel = await this.open();
      events = channel.events;
      job = await channel.queue.add(
        STREAM_TEST_JOB,
        { stream_id: id, ...(requestId ? { requestId } : {}) },
        streamTestJobOptions(),
      );
    } catch (error) {
      this.logger.warn(`stream test not enqueued: ${(error as Error).message}`);
      throw ProblemException.unavailable('Redis is unavailable; the test was not sent.', 5);
    }
    try {
      const result = await job.waitUntilFinished(events, STREAM_TEST_TIMEOUT_MS);
      return {
        result,
        destination_type: found.stream.destination.type,
        duration_ms: Date.now() - started,
      };
    } catch (error) {
      const message = (error as Error).message;
      if (!/timed out/i.test(message)) {
        this.logger.warn(`stream test of ${id} failed in the worker: ${message}`);
        throw new ProblemException(
          502,
          'stream-test-failed',
          'Bad Gateway',
          'The maintenance worker could not run the test; its log has the details.',
        );
      }
      // Nobody took it: a test sent minutes later would only surprise.
      await job.remove().catch(() => undefined);
      throw new ProblemException(
        504,
        'stream-test-timeout',
        'Gateway Timeout',
        `The maintenance worker did not answer within ${STREAM_TEST_TIMEOUT_MS / 1000} s: is it running and connected to Redis?`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const channel = await this.channel?.catch(() => undefined);
    if (!channel) return;
    await channel.events.close().catch(() => undefined);
    await channel.queue.close().catch(() => undefined);
    for (const connection of channel.connections) connection.disconnect();
  }

  private open(): Promise<Channel> {
    this.channel ??= this.connect().catch((error: unknown) => {
      this.channel = undefined;
      throw error;
    });
    return this.channel;
  }

  private async connect(): Promise<Channel> {
    const { keyPrefix } = this.config.redis;
    // The producer fails fast while Redis is away; the event listener blocks and must wait.
    const producer = createRedisConnection(this.config.redis, {
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    });
    const listener = createRedisConnection(this.config.redis, {
      maxRetriesPerRequest: null,
      connectTimeout: 5_000,
    });
    for (const connection of [producer, listener]) {
      connection.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    }
    const queue = new Queue<StreamTestJobData, StreamTestJobResult>(STREAM_TEST_QUEUE, {
      connection: producer,
      prefix: keyPrefix,
    });
    const events = new QueueEvents(STREAM_TEST_QUEUE, { connection: listener, prefix: keyPrefix });
    await events.waitUntilReady();
    return { queue, events, connections: [producer, listener] };
  }
}
