import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Which maintenance replica delivers which stream: a Redis lease per stream, renewed
 * before every batch. Delivery in order needs exactly one sender per stream at a time, which
 * a job scheduler cannot give a long-running consumer; the cursor's compare-and-set in
 * OpenSearch fences a replica that lost its lease mid-batch (docs/adr/0100).
 */
export class StreamLeases {
  private readonly holder = randomBytes(8).toString('hex');

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly leaseMs: number,
  ) {}

  private key(streamId: string): string {
    return `${this.keyPrefix}:stream-lease:${streamId}`;
  }

  async acquire(streamId: string): Promise<boolean> {
    return (
      (await this.redis.set(this.key(streamId), this.holder, 'PX', this.leaseMs, 'NX')) === 'OK'
    );
  }

  async renew(streamId: string): Promise<boolean> {
    const renewed = await this.redis.eval(RENEW, 1, this.key(streamId), this.holder, this.leaseMs);
    return renewed === 1;
  }

  async release(streamId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(streamId), this.holder).catch(() => undefined);
  }
}
