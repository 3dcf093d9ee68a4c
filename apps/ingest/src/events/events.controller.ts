import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { IngestKeyGuard, type IngestRequest } from '@auditlog/auth';
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
import { ApiIngestBatch, ApiIngestOne, ApiIngestProblems } from './events.openapi';
import { parseJson, readRequestBody } from './request-body';

@ApiIngestProblems()
@Controller('v1/events')
@UseGuards(IngestKeyGuard)
export class EventsController {
  constructor(
    private readonly ingest: IngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiIngestOne()
  async create(
    @Req() request: IngestRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<IngestResult> {
    const { text } = await readRequestBody(request, response, {
      maxBytes: this.config.ingest.maxRequestBytes,
      allowNdjson: false,
    });
    const result = await this.ingest.ingestOne(parseJson(text), producer(request));
    if (result.status === 'duplicate') response.status(200);
    return result;
  }

  @Post('batch')
  @HttpCode(200)
  @ApiIngestBatch()
  async createBatch(
    @Req() request: IngestRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BatchResult> {
    const { body: result, retryAfter } = await this.ingest.ingestBatch(
      await this.batchInputs(request, response),
      producer(request),
    );
    if (result.rejected > 0) response.status(207);
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    return result;
  }

  /** The items of the body; the body's text is not kept while they are written. */
  private async batchInputs(request: IngestRequest, response: Response): Promise<BatchInput[]> {
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

function producer(request: IngestRequest): Producer {
  return { key: request.ingestKey, clientIp: request.ip };
}
