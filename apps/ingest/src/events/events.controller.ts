import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { IngestKeyGuard, type IngestRequest } from '@auditlog/auth';
import type { BatchResult, IngestResult, Producer } from './ingest.service';
import { EventRequests, type EventsReply } from './event-requests';
import { ApiIngestBatch, ApiIngestOne, ApiIngestProblems } from './events.openapi';

/**
 * The event routes as the framework serves them: requests the ingest lane leaves to it
 * (ingest-lane.ts) and the routes' OpenAPI description.
 */
@ApiIngestProblems()
@Controller('v1/events')
@UseGuards(IngestKeyGuard)
export class EventsController {
  constructor(private readonly requests: EventRequests) {}

  @Post()
  @HttpCode(201)
  @ApiIngestOne()
  async create(
    @Req() request: IngestRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<IngestResult> {
    return answer(response, await this.requests.one(request, response, producer(request)));
  }

  @Post('batch')
  @HttpCode(200)
  @ApiIngestBatch()
  async createBatch(
    @Req() request: IngestRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BatchResult> {
    return answer(response, await this.requests.batch(request, response, producer(request)));
  }
}

function answer<Body>(response: Response, reply: EventsReply<Body>): Body {
  response.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers)) response.setHeader(name, value);
  return reply.body;
}

function producer(request: IngestRequest): Producer {
  return { key: request.ingestKey, clientIp: request.ip };
}
