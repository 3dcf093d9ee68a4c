import { type LatencySummary, summarize } from '../../../bench/report/stats';

export interface ProducerOptions {
  /** Where to send; read before every request so a restarted app can be followed. */
  url: string;
  /** Several ingest replicas: requests go round them in turn (`url` is then unused). */
  urls?: string[];
  key: string;
  producers: number;
  batch: number;
  /** Unique per test run: event ids are `<runId>-p<producer>-b<batch>-e<item>`. */
  runId: string;
  companyId?: string;
  /** Upper bound on honouring Retry-After, to keep fault tests short. */
  maxRetryDelayMs?: number;
}

/** Anything a well-behaved producer would not expect: a status other than 200/207/429/503. */
export interface Unexpected {
  status: number;
  body: string;
}

export interface FleetReport {
  producers: number;
  batch: number;
  sentEvents: number;
  acknowledgedEvents: number;
  requests: number;
  statuses: Record<string, number>;
  connectionErrors: number;
  refusalsWithoutRetryAfter: number;
  unexpected: number;
  /** Per request answered 200/207. */
  ackLatency: LatencySummary;
  /** Per batch, from first sending to every event acknowledged, retries included. */
  batchAckLatency: LatencySummary;
}

interface BatchResult {
  results: Array<{ id?: string; status: 'created' | 'duplicate' | 'rejected'; errors?: unknown[] }>;
}

const REQUEST_TIMEOUT_MS = 60_000;

/** How the ingest API marks an item it could not store for now (ingest.service.ts). */
const TRANSIENT = 'retry this item';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Producers as the ingest docs describe them: send batches, retry a refused request
 * (429/503, honouring Retry-After) or a failed connection with the SAME events, and resend
 * the items a 207 rejected as transient. An event counts as acknowledged once a response
 * says `created` or `duplicate` for it.
 */
export class ProducerFleet {
  readonly acknowledged = new Set<string>();
  readonly sent = new Set<string>();
  readonly unexpected: Unexpected[] = [];
  /** Milliseconds from sending a request to its 200/207 answer. */
  readonly ackLatencies: number[] = [];
  /** Milliseconds from first sending a batch to every event of it acknowledged, retries included. */
  readonly batchLatencies: number[] = [];
  readonly statuses = new Map<number, number>();
  connectionErrors = 0;
  refusalsWithoutRetryAfter = 0;
  requests = 0;
  inFlight = 0;
  url: string;
  /** Answers with a 2xx status, per ingest URL. */
  readonly answeredBy = new Map<string, number>();
  private running = false;
  private aborted = false;
  private loops: Array<Promise<void>> = [];

  constructor(private readonly options: ProducerOptions) {
    this.url = options.url;
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.producers }, (_, id) => this.produce(id));
  }

  /** Lets every producer finish the batch it is on (retrying until stored), then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Gives up at once, acknowledged or not: for cleanup after a failed test. */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.stop();
  }

  report(): FleetReport {
    return {
      producers: this.options.producers,
      batch: this.options.batch,
      sentEvents: this.sent.size,
      acknowledgedEvents: this.acknowledged.size,
      requests: this.requests,
      statuses: Object.fromEntries([...this.statuses].sort(([a], [b]) => a - b)),
      connectionErrors: this.connectionErrors,
      refusalsWithoutRetryAfter: this.refusalsWithoutRetryAfter,
      unexpected: this.unexpected.length,
      ackLatency: summarize(this.ackLatencies),
      batchAckLatency: summarize(this.batchLatencies),
    };
  }

  private event(id: string): Record<string, unknown> {
    return {
      id,
      timestamp: new Date().toISOString(),
      company_id: this.options.companyId ?? 'acme',
      action: 'flow.updated',
      operation: 'update',
      actor: { id: 'producer', type: 'service', name: 'Fault producer' },
      target: { type: 'flow', id: `flow-${id.length % 7}` },
      description: `fault injection event ${id}`,
      changes: [{ field: 'step', before: 1, after: 2 }],
    };
  }

  private async produce(producer: number): Promise<void> {
    for (let batch = 0; this.running; batch++) {
      const ids = Array.from(
        { length: this.options.batch },
        (_, item) => `${this.options.runId}-p${producer}-b${batch}-e${item}`,
      );
      for (const id of ids) this.sent.add(id);
      await this.sendUntilStored(ids.map((id) => this.event(id)));
    }
  }

  private target(): string {
    const urls = this.options.urls ?? [];
    return urls[this.requests % urls.length] ?? this.url;
  }

  private async sendUntilStored(events: Array<Record<string, unknown>>): Promise<void> {
    let pending = events;
    const firstSent = performance.now();
    const maxDelay = this.options.maxRetryDelayMs ?? 250;
    while (pending.length > 0 && !this.aborted) {
      const sentAt = performance.now();
      let response: Response;
      let text: string;
      const url = this.target();
      this.inFlight += 1;
      this.requests += 1;
      try {
        response = await fetch(`${url}/v1/events/batch`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.key}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(pending),
          // Bounded, so that a hung request cannot stall a test; it is retried like any
          // failed connection.
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        text = await response.text();
      } catch {
        this.connectionErrors += 1;
        await sleep(50 + Math.random() * 100);
        continue;
      } finally {
        this.inFlight -= 1;
      }
      this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
      if (response.status === 429 || response.status === 503) {
        const retryAfter = Number(response.headers.get('retry-after'));
        if (!(retryAfter > 0)) this.refusalsWithoutRetryAfter += 1;
        await sleep(Math.min(maxDelay, (retryAfter || 1) * 1000) * (0.5 + Math.random() / 2));
        continue;
      }
      if (response.status !== 200 && response.status !== 207) {
        this.unexpected.push({ status: response.status, body: text.slice(0, 500) });
        await sleep(100);
        continue;
      }
      this.ackLatencies.push(performance.now() - sentAt);
      this.answeredBy.set(url, (this.answeredBy.get(url) ?? 0) + 1);
      const { results } = JSON.parse(text) as BatchResult;
      for (const result of results) {
        if (result.status !== 'rejected' && result.id) this.acknowledged.add(result.id);
      }
      pending = pending.filter((_, index) => {
        const result = results[index];
        if (result === undefined) throw new Error(`the batch response has no result ${index}`);
        if (result.status !== 'rejected') return false;
        if (JSON.stringify(result.errors).includes(TRANSIENT)) return true;
        this.unexpected.push({ status: response.status, body: JSON.stringify(result) });
        return false;
      });
    }
    if (pending.length === 0) this.batchLatencies.push(performance.now() - firstSent);
  }
}
