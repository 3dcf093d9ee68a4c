import { EventEmitter } from 'node:events';
import type { ExecutionContext } from '@nestjs/common';
import type { AppConfig } from '@auditlog/config';
import { HttpMetricsGuard } from './http-metrics.guard';
import { MetricsService } from './metrics.service';

class EventsController {
  create(this: void): void {}
}

function httpContext(response: EventEmitter): ExecutionContext {
  return {
    getType: () => 'http',
    getClass: () => EventsController,
    getHandler: () => EventsController.prototype.create,
    switchToHttp: () => ({ getRequest: () => ({ method: 'POST' }), getResponse: () => response }),
  } as unknown as ExecutionContext;
}

function finishedResponse(statusCode: number, finished: boolean): EventEmitter {
  return Object.assign(new EventEmitter(), { statusCode, writableFinished: finished });
}

describe('HttpMetricsGuard', () => {
  it('admits, then counts and times each finished request by route and status', async () => {
    const metrics = new MetricsService({ app: 'ingest' } as AppConfig);
    const guard = new HttpMetricsGuard(metrics);
    const responses = [finishedResponse(201, true), finishedResponse(401, true)];
    for (const response of responses) expect(guard.canActivate(httpContext(response))).toBe(true);
    const aborted = finishedResponse(200, false);
    guard.canActivate(httpContext(aborted));
    for (const response of [...responses, aborted]) response.emit('close');

    const counted = (await metrics.httpRequests.get()).values;
    expect(counted.map(({ labels, value }) => [labels.status, labels.route, value])).toEqual([
      ['201', 'EventsController.create', 1],
      ['401', 'EventsController.create', 1],
    ]);
    const timed = (await metrics.httpDuration.get()).values.find(
      (sample) => sample.metricName === 'auditlog_http_request_duration_seconds_count',
    );
    expect(timed?.value).toBe(3);
  });
});
