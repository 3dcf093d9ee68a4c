import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import {
  type BatchInput,
  type BatchResult,
  type IngestResult,
  IngestService,
  type Producer,
} from './ingest.service';
import { batchItems } from './batch-body';
import { parseJson, readRequestBody } from './request-body';

/** What a stored request answers: its status, body and extra headers. */
export interface EventsReply<Body> {
  status: number;
  body: Body;
  headers: Record<string, string>;
}

/**
 * The two event routes from an authenticated request to its answer: body, limits,
 * validation, the write. Served by the framework's controller and by the ingest lane
 * alike (ingest-lane.ts), so both answer the same.
 */
@Injectable()
export class EventRequests {
  constructor(
    private readonly ingest: IngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `POST /v1/events`: 201, or 200 for an event already stored. */
  async one(
    request: IncomingMessage,
    response: ServerResponse,
    producer: Producer,
  ): Promise<EventsReply<IngestResult>> {
    const { text } = await readRequestBody(request, response, {
      maxBytes: this.config.ingest.maxRequestBytes,
      allowNdjson: false,
    });
    const result = await this.ingest.ingestOne(parseJson(text), producer);
    return { status: result.status === 'duplicate' ? 200 : 201, body: result, headers: {} };
  }

  /** `POST /v1/events/batch`: 200, or 207 when some items were rejected. */
  async batch(
    request: IncomingMessage,
    response: ServerResponse,
    producer: Producer,
  ): Promise<EventsReply<BatchResult>> {
    const { body, retryAfter } = await this.ingest.ingestBatch(
      await this.batchInputs(request, response),
      producer,
    );
    return {
      status: body.rejected > 0 ? 207 : 200,
      body,
      headers: retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
    };
  }

  /** The items of the body; the body's text is not kept while they are written. */
  private async batchInputs(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<BatchInput[]> {
    const body = await readRequestBody(request, response, {
      maxBytes: this.config.ingest.maxRequestBytes,
      allowNdjson: true,
    });
    const items = batchItems(body);
    const max = this.config.ingest.maxBatchEvents;
    if (items.length === 0) {
      throw ProblemException.badRequest('The batch is empty.', [
        { path: 'events', message: 'a batch needs at least one event' },
      ]);
    }
    if (items.length > max) {
      throw new ProblemException(
        413,
        'too-many-events',
        'Payload Too Large',
        `A batch may hold at most ${max} events; this one has ${items.length}. Split it.`,
      );
    }
    return items;
  }
}
