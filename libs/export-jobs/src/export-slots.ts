import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { queueConnection } from './export-queue';

/**
 * Takes a slot when fewer than ARGV[2] are held, in one step on the Redis server, so two API
 * replicas can never both take the last one. Taking a slot the export already holds is a
 * no-op. Answers {1 when taken, slots now held}.
 */
const ACQUIRE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {1, redis.call('ZCARD', KEYS[1])} end
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[2]) then return {0, held} end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return {1, held + 1}
`;

export interface SlotAnswer {
  acquired: boolean;
  /** Slots of the company held after the attempt. */
  held: number;
}

export interface HeldSlot {
  companyId: string;
  exportId: string;
  /** When the slot was taken. */
  since: Date;
}

/**
 * The per-company limit on export jobs that are queued or running, as one Redis sorted set
 * per company (`<prefix>:export-slots:<company>`, member = export id, score = when taken).
 * The API takes a slot before it creates the record; whoever ends the job (the worker, a
 * cancel, a failed enqueue, the lost-job check) gives it back; the maintenance job gives back
 * any slot whose export is no longer active, so a crashed process cannot keep one.
 */
@Injectable()
export class ExportSlots implements OnApplicationShutdown {
  private readonly prefix: string;
  /** Fails fast like the producer queue, so a request answers 503 quickly without Redis. */
  private readonly client: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = `${config.redis.keyPrefix}:export-slots:`;
    this.client = queueConnection(config);
    // A request that needs Redis answers 503; the log keeps one line per failed attempt.
    const logger = new Logger(ExportSlots.name);
    this.client.on('error', (error: Error) => logger.warn(`Redis unavailable: ${error.message}`));
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }

  async acquire(companyId: string, exportId: string, limit: number): Promise<SlotAnswer> {
    const [acquired, held] = (await this.client.eval(
      ACQUIRE,
      1,
      this.prefix + companyId,
      exportId,
      String(limit),
      String(Date.now()),
    )) as [number, number];
    return { acquired: acquired === 1, held };
  }

  async release(companyId: string, exportId: string): Promise<void> {
    await this.client.zrem(this.prefix + companyId, exportId);
  }

  /** Every slot held, of every company. */
  async held(): Promise<HeldSlot[]> {
    const slots: HeldSlot[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const members = await this.client.zrange(key, '0', '-1', 'WITHSCORES');
        for (let index = 0; index + 1 < members.length; index += 2) {
          const exportId = members[index];
          const score = members[index + 1];
          if (exportId === undefined || score === undefined) continue;
          slots.push({
            companyId: key.slice(this.prefix.length),
            exportId,
            since: new Date(Number(score)),
          });
        }
      }
    } while (cursor !== '0');
    return slots;
  }
}
