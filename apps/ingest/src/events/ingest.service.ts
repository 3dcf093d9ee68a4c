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
import { EventOutsideRetentionError, IndexRouter, type WriteRoutes } from '@auditlog/retention';
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

type Rejection = { ok: false; errors: FieldProblem[]; forbidden?: boolean };

/** A valid, authorised event before routing: what its write and its answer need. */
type Checked = { ok: true; id: string; companyId: string; at: number; source: Buffer } | Rejection;

/**
 * A prepared item keeps only what its answer and its write need: while the `_bulk` is in
 * flight, no parsed input, stored event object or source string stays alive for the
 * garbage collector to copy (docs/adr/0160-ingest-request-cost.md,
 * docs/adr/0166-ingest-per-event-copies.md).
 */
type Prepared = { ok: true; id: string; write: EventWrite } | Rejection;

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

  /**
   * Not `async`, like `ingestBatch`: the parsed input is checked synchronously and is not a
   * parameter of the function that waits for the `_bulk`, so it can be collected young.
   */
  ingestOne(input: unknown, producer: Producer): Promise<IngestResult> {
    const now = new Date();
    return this.storeOne(this.check([{ value: input }], producer, now), now);
  }

  private async storeOne(checked: Checked[], now: Date): Promise<IngestResult> {
    const [prepared] = await this.route(checked, now);
    if (prepared === undefined) throw new Error('No prepared item for the event.');
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
   *
   * Not `async`: an async function's parameters stay alive until it settles, and the
   * parsed batch (hundreds of KB) would then wait out the `_bulk` with it, be promoted and
   * cost old-generation collections (docs/adr/0166-ingest-per-event-copies.md).
   */
  ingestBatch(
    inputs: readonly BatchInput[],
    producer: Producer,
  ): Promise<{ body: BatchResult; retryAfter?: number }> {
    const now = new Date();
    return this.storeBatch(this.check(inputs, producer, now), inputs.map(producerId), now);
  }

  private async storeBatch(
    checked: Checked[],
    producerIds: Array<string | undefined>,
    now: Date,
  ): Promise<{ body: BatchResult; retryAfter?: number }> {
    const prepared = await this.route(checked, now);
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

  /** Validates and authorises every item. */
  private check(inputs: readonly BatchInput[], producer: Producer, now: Date): Checked[] {
    return inputs.map((input) =>
      'unreadable' in input
        ? { ok: false, errors: [{ path: '', message: input.unreadable }] }
        : this.checkOne(input.value, producer, now),
    );
  }

  /** Routes the valid items, each company's settings looked up once for the request. */
  private async route(checked: Checked[], now: Date): Promise<Prepared[]> {
    const companies = new Set<string>();
    for (const item of checked) if (item.ok) companies.add(item.companyId);
    if (companies.size === 0) return checked as Rejection[];
    let routes: WriteRoutes;
    try {
      routes = await this.router.writeRoutes(companies, now);
    } catch (error) {
      if (error instanceof StorageUnavailableError) throw unavailable();
      throw error;
    }
    return checked.map((item) => (item.ok ? routed(item, routes) : item));
  }

  private checkOne(input: unknown, producer: Producer, now: Date): Checked {
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
    return {
      ok: true,
      id: event.id,
      companyId: event.company_id,
      at: Date.parse(event.timestamp),
      source: Buffer.from(result.source, 'utf8'),
    };
  }
}

function routed(item: Extract<Checked, { ok: true }>, routes: WriteRoutes): Prepared {
  let index: string;
  try {
    index = routes.indexFor(item.companyId, item.at);
  } catch (error) {
    if (error instanceof EventOutsideRetentionError) {
      return { ok: false, errors: [{ path: 'timestamp', message: error.message }] };
    }
    throw error;
  }
  return {
    ok: true,
    id: item.id,
    write: { index, id: eventDocumentId(item.companyId, item.id), source: item.source },
  };
}
