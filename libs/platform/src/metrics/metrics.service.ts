import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';

/** One registry per app instance, so several apps can live in one test process. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.registry.setDefaultLabels({ app: config.app });
    collectDefaultMetrics({ register: this.registry, prefix: 'auditlog_' });
    this.httpRequests = this.counter(
      'auditlog_http_requests_total',
      'HTTP requests by route and status',
      ['method', 'route', 'status'],
    );
    this.httpDuration = this.histogram(
      'auditlog_http_request_duration_seconds',
      'HTTP request duration',
      ['method', 'route'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
  }

  /**
   * Times the request until its response closes, and counts it by status if the response
   * was sent in full. `route` names the handler (`Controller.method`).
   */
  observeRequest(method: string, route: string, response: ServerResponse): void {
    const stopTimer = this.httpDuration.startTimer({ method, route });
    response.once('close', () => {
      stopTimer();
      if (response.writableFinished) {
        this.httpRequests.inc({ method, route, status: String(response.statusCode) });
      }
    });
  }

  counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** `collect` runs at scrape time, so the gauge shows the current value without bookkeeping. */
  gauge(name: string, help: string, collect: () => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(collect());
      },
    });
  }
}
