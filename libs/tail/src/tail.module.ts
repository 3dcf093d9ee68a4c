import { Global, Module } from '@nestjs/common';
import { EVENT_WRITE_FENCE } from '@auditlog/opensearch';
import { EventTailReader } from './event-tail.reader';
import { RedisWriteFence } from './write-fence';

/**
 * The gap-free tail. Every process that writes events imports it (so its writes are
 * fenced), as does every process that reads the tail. Global: EventRepository in the
 * OpenSearch core takes the fence from here.
 */
@Global()
@Module({
  providers: [
    RedisWriteFence,
    { provide: EVENT_WRITE_FENCE, useExisting: RedisWriteFence },
    EventTailReader,
  ],
  exports: [EVENT_WRITE_FENCE, RedisWriteFence, EventTailReader],
})
export class TailModule {}
