/** What a reader saw while faults happened. */
export interface ReadReport {
  requests: number;
  statuses: Record<string, number>;
  /** 5xx other than 503 with Retry-After, and connection failures. */
  unexpected: string[];
  /** Longest time between two answered (200) reads: what a reader noticed as downtime. */
  longestGapMs: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Readers that keep querying the query replicas in turn while a test breaks things, as a
 * console would: a 503 with Retry-After is allowed (retried after it), nothing else is.
 */
export class ReadProbe {
  private running = false;
  private loops: Array<Promise<void>> = [];
  private requests = 0;
  private readonly statuses = new Map<number, number>();
  private readonly unexpected: string[] = [];
  private lastAnswer = 0;
  private longestGap = 0;

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    private readonly readers = 4,
  ) {}

  start(): void {
    this.running = true;
    this.lastAnswer = Date.now();
    this.loops = Array.from({ length: this.readers }, () => this.read());
  }

  async stop(): Promise<ReadReport> {
    this.running = false;
    await Promise.all(this.loops);
    return {
      requests: this.requests,
      statuses: Object.fromEntries([...this.statuses].sort(([a], [b]) => a - b)),
      unexpected: this.unexpected,
      longestGapMs: this.longestGap,
    };
  }

  private async read(): Promise<void> {
    while (this.running) {
      const url = this.urls[this.requests++ % this.urls.length];
      let status: number;
      let retryAfter: string | null;
      try {
        const response = await fetch(`${url}/v1/events?limit=20`, {
          headers: { authorization: `Bearer ${this.token}` },
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        status = response.status;
        retryAfter = response.headers.get('retry-after');
      } catch (error) {
        this.unexpected.push(`${url}: ${String(error)}`);
        await sleep(200);
        continue;
      }
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      if (status === 200) {
        const now = Date.now();
        this.longestGap = Math.max(this.longestGap, now - this.lastAnswer);
        this.lastAnswer = now;
      } else if (status === 503 && Number(retryAfter) > 0) {
        await sleep(Math.min(1000, Number(retryAfter) * 1000));
        continue;
      } else {
        this.unexpected.push(`${url}: ${status} (Retry-After: ${retryAfter})`);
      }
      await sleep(100);
    }
  }
}
