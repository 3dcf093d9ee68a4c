import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/**
 * Counts and times every routed request by `Controller.handler`. A global guard that
 * always admits rather than an interceptor: on Node 20 each global interceptor costs a
 * request ~70–80 µs of CPU in Nest's per-interceptor async-context binding and RxJS
 * plumbing, a sixth of a stored single event (docs/adr/0160-ingest-request-cost.md).
 * Global guards run before the controllers' own, so refused requests (401, 403) are
 * counted too.
 */
@Injectable()
export class HttpMetricsGuard implements CanActivate {
  private readonly routes = new WeakMap<object, string>();

  constructor(private readonly metrics: MetricsService) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    this.metrics.observeRequest(request.method, this.routeOf(context), response);
    return true;
  }

  private routeOf(context: ExecutionContext): string {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (route === undefined) {
      route = `${context.getClass().name}.${handler.name}`;
      this.routes.set(handler, route);
    }
    return route;
  }
}
