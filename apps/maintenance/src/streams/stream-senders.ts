import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { createEgressPolicy, createGuardedLookup } from '@auditlog/egress';
import {
  createDestination,
  type Destination,
  type DestinationConfig,
} from '@auditlog/stream-destinations';
import { StreamRepository, type StoredStream } from '@auditlog/streams';

const REQUEST_TIMEOUT_MS = 30_000;
/** The appliance's version in CEF headers and ECS `observer.version`: its package's. */
function productVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const found = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (found.name === 'auditlog' && found.version) return found.version;
    } catch {
      // not here: look further up
    }
  }
  return '0.0.0';
}
const PRODUCT_VERSION = productVersion();

/**
 * Destinations with their secrets decrypted, one per stream, rebuilt when the stream's
 * definition changes. Every connection goes through the egress guard.
 */
@Injectable()
export class StreamSenders {
  private readonly open = new Map<string, { updatedAt: string; destination: Destination }>();
  private readonly lookup;

  constructor(
    private readonly repository: StreamRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.lookup = createGuardedLookup(createEgressPolicy(config.egress));
  }

  /**
   * A sender for one use (the test delivery): the caller closes it. The senders check
   * every host, literal addresses included, through the guarded lookup when they connect.
   */
  create(config: DestinationConfig): Destination {
    return createDestination(config, {
      lookup: this.lookup,
      timeoutMs: REQUEST_TIMEOUT_MS,
      productVersion: PRODUCT_VERSION,
    });
  }

  async for(stream: StoredStream): Promise<Destination> {
    const cached = this.open.get(stream.id);
    if (cached?.updatedAt === stream.updated_at) return cached.destination;
    if (cached) await cached.destination.close().catch(() => undefined);
    const destination = this.create(this.repository.decryptDestination(stream));
    this.open.set(stream.id, { updatedAt: stream.updated_at, destination });
    return destination;
  }

  async close(streamId: string): Promise<void> {
    const cached = this.open.get(streamId);
    this.open.delete(streamId);
    await cached?.destination.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.close(id)));
  }
}
