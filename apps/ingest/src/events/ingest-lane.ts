import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import proxyAddress from 'proxy-addr';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { IngestKeyGuard } from '@auditlog/auth';
import {
  createRequestLog,
  MetricsService,
  problemReply,
  sendJson,
  sendProblem,
} from '@auditlog/platform';
import { EventRequests, type EventsReply } from './event-requests';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;
type Trust = (address: string, hop: number) => boolean;

interface LaneRoute {
  /** The controller handler of the same route: the metrics' route label. */
  route: string;
  kind: 'one' | 'batch';
}

/** The routes the lane serves, by exact path. */
const LANE_ROUTES = new Map<string | undefined, LaneRoute>([
  ['/v1/events', { route: 'EventsController.create', kind: 'one' }],
  ['/v1/events/batch', { route: 'EventsController.createBatch', kind: 'batch' }],
]);

/**
 * The two event routes served straight from the HTTP server, beside the framework: an
 * authenticated `POST /v1/events` or `/v1/events/batch` with no query and no `Origin`
 * skips express's router and Nest's per-request pipeline (guards, parameter binding,
 * response handling), about half the CPU of a stored single event (ADR 0171). The lane
 * does the same per-request work as that pipeline: the request log line and
 * `x-request-id`, the HTTP metrics, the client address behind trusted proxies, the same
 * handling (EventRequests) and problem documents. Every other request, including each
 * the lane would refuse (no or a wrong key, a query, a browser's CORS request), goes
 * through the framework, so every refusal is made in one place. Per-request work added to
 * the framework's pipeline (a global guard, middleware) must be added here too;
 * test/ingest-lane.e2e-spec.ts compares the two ways' answers.
 */
@Injectable()
export class IngestLane implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly requests: EventRequests,
    private readonly keys: IngestKeyGuard,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** After the app's init: the logger module has set the root logger the lane logs with. */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    const server = adapter.getHttpServer() as Server;
    const express = adapter.getInstance<{ get(setting: string): unknown }>();
    const trust = express.get('trust proxy fn') as Trust;
    const requestLog = createRequestLog(this.config);
    const framework = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const lane = laneRoute(request);
      const key = lane && this.keys.keyOf(request);
      if (!lane || !key) {
        for (const listener of framework) listener(request, response);
        return;
      }
      this.metrics.observeRequest('POST', lane.route, response);
      requestLog(request, response, () => {
        const producer = { key, clientIp: proxyAddress(request, trust) };
        const reply: Promise<EventsReply<unknown>> =
          lane.kind === 'one'
            ? this.requests.one(request, response, producer)
            : this.requests.batch(request, response, producer);
        reply
          .then((answer) => send(response, answer))
          .catch((error: unknown) =>
            sendProblem(response, problemReply(error, requestIdOf(request), request.url)),
          );
      });
    });
  }
}

function laneRoute(request: IncomingMessage): LaneRoute | undefined {
  if (request.method !== 'POST' || request.headers.origin !== undefined) return undefined;
  return LANE_ROUTES.get(request.url);
}

function requestIdOf(request: IncomingMessage): string {
  const id = (request as IncomingMessage & { id?: unknown }).id;
  return typeof id === 'string' ? id : '';
}

function send(response: ServerResponse, reply: EventsReply<unknown>): void {
  for (const [name, value] of Object.entries(reply.headers)) response.setHeader(name, value);
  sendJson(response, reply.status, reply.body);
}
