import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig, type IngestKeyRecord } from '@auditlog/config';
import { type FieldProblem, normalizeEvent } from '@auditlog/events';
import { MetricsService } from '@auditlog/platform';
import { ProblemException } from '@auditlog/problem';
import {
  eventDocumentId,
  type EventWrite,
  StorageUnavailableError,
  type WriteOutcome,
} from '@auditlog/opensearch';
import { EventOutsideRetentionError, IndexRouter } from '@auditlog/retention';
import { boundCompany, mayWriteFor } from '@auditlog/auth';
import { GroupCommitService, QueueFullError } from './group-commit.service';

export type ItemStatus = 'created' | 'duplicate' | 'rejected';

export interface IngestResult {
  id: string;
  status: 'created' | 'duplicate';
}

export interface BatchItemResult {
  index: number;
  id?: string;
  status: ItemStatus;
  errors?: FieldProblem[];
}

export interface BatchResult {
  results: BatchItemResult[];
  created: number;
  duplicates: number;
  rejected: number;
}

/** One batch item as read from the body: a value, or why it could not be read. */
export type BatchInput = { value: unknown } | { unreadable: string };

export interface Producer {
  key: IngestKeyRecord;
  clientIp?: string;
}

/**
 * A prepared item keeps only what its answer and its write need: while the `_bulk` is in
 * flight, no parsed input or stored event object stays alive for the garbage collector to
 * copy (docs/adr/0160-ingest-request-cost.md).
 */
type Prepared =
  | { ok: true; id: string; write: EventWrite }
  | { ok: false; errors: FieldProblem[]; forbidden?: boolean };

const RETRY_AFTER_SECONDS = 2;
const TRANSIENT_MESSAGE = 'not stored: storage is unavailable or overloaded; retry this item';

function isTransient(outcome: WriteOutcome | Error): boolean {
  return outcome instanceof Error || (outcome.status === 'failed' && outcome.retryable);
}

/** The id a producer sent, for rejected items: a server-made id was never stored. */
function producerId(input: BatchInput): string | undefined {
  const value = 'value' in input ? input.value : undefined;
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

function rejectedItem(index: number, id: string | undefined, errors: FieldProblem[]) {
  return { index, ...(id === undefined ? {} : { id }), status: 'rejected' as const, errors };
}

function unavailable(): ProblemException {
  return ProblemException.unavailable('Storage is unavailable; retry later.', RETRY_AFTER_SECONDS);
}

function overloaded(): ProblemException {
  return new ProblemException(
    429,
    'overloaded',
    'Too Many Requests',
    'The ingest queue is full; retry later.',
    undefined,
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );
}

/** Validates, authorises, routes and writes events (SPEC §3–§4). */
@Injectable()
export class IngestService {
  private readonly events: Counter<'status'>;

  constructor(
    private readonly router: IndexRouter,
    private readonly writer: GroupCommitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.events = metrics.counter(
      'auditlog_ingest_events_total',
      'Events received, by result (created, duplicate, rejected)',
      ['status'],
    );
  }

  async ingestOne(input: unknown, producer: Producer): Promise<IngestResult> {
    const prepared = await this.prepare(input, producer, new Date());
    if (!prepared.ok) {
      this.events.inc({ status: 'rejected' });
      if (prepared.forbidden) {
        throw new ProblemException(
          403,
          'company-not-allowed',
          'Forbidden',
          prepared.errors[0]?.message ?? 'The company is not allowed.',
          prepared.errors,
        );
      }
      throw ProblemException.badRequest('The event is invalid.', prepared.errors);
    }
    const [outcome] = await this.write([prepared.write]);
    if (outcome === undefined) throw new Error('The writer returned no outcome for the event.');
    if (isTransient(outcome)) throw unavailable();
    if (outcome instanceof Error || outcome.status === 'failed') {
      this.events.inc({ status: 'rejected' });
      throw ProblemException.badRequest('OpenSearch refused the event.', [
        { path: '', message: outcome instanceof Error ? outcome.message : outcome.reason },
      ]);
    }
    this.events.inc({ status: outcome.status });
    return { id: prepared.id, status: outcome.status };
  }

  /**
   * Valid items are written even when others are rejected. Within one batch a repeated
   * (company, id) is written once; later copies report `duplicate`. When no item could be
   * stored because OpenSearch is down, the whole request fails with 503 instead.
   */
  async ingestBatch(
    inputs: readonly BatchInput[],
    producer: Producer,
  ): Promise<{ body: BatchResult; retryAfter?: number }> {
    const now = new Date();
    const prepared = await Promise.all(
      inputs.map((input) =>
        'unreadable' in input
          ? Promise.resolve<Prepared>({
              ok: false,
              errors: [{ path: '', message: input.unreadable }],
            })
          : this.prepare(input.value, producer, now),
      ),
    );
    const producerIds = inputs.map(producerId);
    const firstIndexOf = new Map<string, number>();
    const toWrite: number[] = [];
    prepared.forEach((item, index) => {
      if (!item.ok || firstIndexOf.has(item.write.id)) return;
      firstIndexOf.set(item.write.id, index);
      toWrite.push(index);
    });
    const written = await this.write(
      toWrite.map((index) => (prepared[index] as Extract<Prepared, { ok: true }>).write),
    );
    const outcomeAt = new Map(toWrite.map((index, position) => [index, written[position]]));
    if (written.length > 0 && written.every(isTransient)) throw unavailable();

    let transient = false;
    const results = prepared.map((item, index): BatchItemResult => {
      if (!item.ok) return rejectedItem(index, producerIds[index], item.errors);
      const first = firstIndexOf.get(item.write.id) as number;
      const outcome = outcomeAt.get(first) as WriteOutcome | Error;
      const rejected = (message: string): BatchItemResult =>
        rejectedItem(index, producerIds[index], [{ path: '', message }]);
      if (isTransient(outcome)) {
        transient = true;
        return rejected(TRANSIENT_MESSAGE);
      }
      if (outcome instanceof Error || outcome.status === 'failed') {
        const reason = outcome instanceof Error ? outcome.message : outcome.reason;
        return rejected(`OpenSearch refused the event: ${reason}`);
      }
      return { index, id: item.id, status: first === index ? outcome.status : 'duplicate' };
    });
    const count = (status: ItemStatus): number =>
      results.filter((result) => result.status === status).length;
    const body = {
      results,
      created: count('created'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
    };
    this.events.inc({ status: 'created' }, body.created);
    this.events.inc({ status: 'duplicate' }, body.duplicates);
    this.events.inc({ status: 'rejected' }, body.rejected);
    return { body, ...(transient ? { retryAfter: RETRY_AFTER_SECONDS } : {}) };
  }

  private async write(writes: EventWrite[]): Promise<Array<WriteOutcome | Error>> {
    try {
      return await this.writer.submit(writes);
    } catch (error) {
      if (error instanceof QueueFullError) throw overloaded();
      if (error instanceof StorageUnavailableError) throw unavailable();
      throw error;
    }
  }

  private async prepare(input: unknown, producer: Producer, now: Date): Promise<Prepared> {
    const { key, clientIp } = producer;
    const result = normalizeEvent(input, {
      keyId: key.id,
      clientIp,
      boundCompanyId: boundCompany(key),
      now,
      maxFutureSkewMs: this.config.ingest.maxFutureSkewMs,
    });
    if (!result.ok) return result;
    const event = result.event;
    if (!mayWriteFor(key, event.company_id)) {
      return {
        ok: false,
        forbidden: true,
        errors: [
          {
            path: 'company_id',
            message: `ingest key "${key.id}" may not write events for company "${event.company_id}"`,
          },
        ],
      };
    }
    let index: string;
    try {
      index = await this.router.writeIndexFor(event.company_id, event.timestamp);
    } catch (error) {
      if (error instanceof EventOutsideRetentionError) {
        return { ok: false, errors: [{ path: 'timestamp', message: error.message }] };
      }
      if (error instanceof StorageUnavailableError) throw unavailable();
      throw error;
    }
    return {
      ok: true,
      id: event.id,
      write: { index, id: eventDocumentId(event.company_id, event.id), source: result.source },
    };
  }
}
