import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, finalize } from 'rxjs';
import { MetricsService } from './metrics.service';

@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    const stopTimer = this.metrics.httpDuration.startTimer({ method: request.method, route });
    response.once('finish', () =>
      this.metrics.httpRequests.inc({
        method: request.method,
        route,
        status: String(response.statusCode),
      }),
    );
    return next.handle().pipe(finalize(() => stopTimer()));
  }
}
