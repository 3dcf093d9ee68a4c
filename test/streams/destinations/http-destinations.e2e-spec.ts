import type { LookupFunction } from 'node:net';
import type { AuditEvent } from '@auditlog/events';
import {
  firstOf,
  freePort,
  type HttpReceiver,
  only,
  sampleAuditEvents,
  startDatadogReceiver,
  startHecReceiver,
  startWebhookReceiver,
} from '@auditlog/testing';
import {
  createDestination,
  type DeliveryResult,
  type Destination,
  type DestinationConfig,
  verifyWebhookSignature,
} from '@auditlog/stream-destinations';

const TOKEN = 'hec-token-0123456789';
const API_KEY = 'dd-api-key-0123456789';
const SECRET = 'whsec-0123456789';
const ids = (events: ReadonlyArray<{ id?: unknown }>): unknown[] => events.map((event) => event.id);

/** Resolves every name to loopback, as the egress guard's lookup resolves allowed names. */
const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

interface Case {
  name: string;
  start: () => Promise<HttpReceiver<Record<string, unknown>>>;
  config: (url: string) => DestinationConfig;
  /** The delivered event as the receiver recorded it. */
  eventOf: (received: Record<string, unknown>) => AuditEvent;
  secret: string;
  /** The status a wrong credential gets. */
  unauthorized: number;
  badCredential: (config: DestinationConfig) => DestinationConfig;
}

const cases: Case[] = [
  {
    name: 'splunk_hec',
    start: () =>
      startHecReceiver({ token: TOKEN }) as unknown as Promise<
        HttpReceiver<Record<string, unknown>>
      >,
    config: (url) => ({ type: 'splunk_hec', url, token: TOKEN, index: 'audit' }),
    eventOf: (received) => received.event as AuditEvent,
    secret: TOKEN,
    unauthorized: 403,
    badCredential: (config) => ({ ...config, token: 'wrong' }) as DestinationConfig,
  },
  {
    name: 'datadog',
    start: () => startDatadogReceiver({ apiKey: API_KEY }),
    config: (url) => ({ type: 'datadog', site_url: url, api_key: API_KEY, tags: ['env:test'] }),
    eventOf: (received) => received.auditlog as AuditEvent,
    secret: API_KEY,
    unauthorized: 403,
    badCredential: (config) => ({ ...config, api_key: 'wrong' }) as DestinationConfig,
  },
  {
    name: 'webhook',
    start: () => startWebhookReceiver({ secret: SECRET, path: '/hooks/audit' }),
    config: (url) => ({
      type: 'webhook',
      url: `${url}/hooks/audit?src=appliance`,
      signing_secret: SECRET,
      headers: { 'X-Tenant': 'ops' },
    }),
    eventOf: (received) => received as unknown as AuditEvent,
    secret: SECRET,
    unauthorized: 401,
    badCredential: (config) => ({ ...config, signing_secret: 'wrong' }) as DestinationConfig,
  },
];

describe.each(cases)('$name destination against its receiver', (spec) => {
  let receiver: HttpReceiver<Record<string, unknown>>;
  let destination: Destination;

  beforeEach(async () => {
    receiver = await spec.start();
    destination = createDestination(spec.config(receiver.url), {
      timeoutMs: 2000,
      hostname: 'appliance-1',
      productVersion: '9.9.9',
    });
  });
  afterEach(async () => {
    await destination.close();
    await receiver.close();
  });

  it('delivers batches in order, over one kept-alive connection', async () => {
    const events = sampleAuditEvents(300);
    for (let start = 0; start < events.length; start += 100) {
      await expect(destination.deliver(events.slice(start, start + 100))).resolves.toMatchObject({
        kind: 'delivered',
      });
    }
    expect(receiver.received.map((entry) => spec.eventOf(entry))).toEqual(events);
    expect(receiver.requests).toHaveLength(3);
    const connections = new Set(receiver.requests.map((request) => request.remotePort));
    expect(connections.size).toBe(1);
  });

  it.each<[string, { status: number; retryAfter?: number }, Partial<DeliveryResult>]>([
    ['400 → rejected', { status: 400 }, { kind: 'rejected', status: 400 }],
    [
      '429 with Retry-After → retry after it',
      { status: 429, retryAfter: 3 },
      { kind: 'retry', status: 429, retryAfterMs: 3000 },
    ],
    ['503 → retry', { status: 503 }, { kind: 'retry', status: 503 }],
    ['500 → retry', { status: 500 }, { kind: 'retry', status: 500 }],
    ['408 → retry', { status: 408 }, { kind: 'retry', status: 408 }],
  ])('maps %s, then delivers the same batch', async (_, scripted, expected) => {
    const events = sampleAuditEvents(5);
    receiver.respondNext(scripted);
    const result = await destination.deliver(events);
    expect(result).toMatchObject(expected);
    expect(result.kind !== 'delivered' && result.error).toMatch(
      new RegExp(`^HTTP ${scripted.status}`),
    );
    expect(receiver.received).toEqual([]);
    await expect(destination.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    expect(receiver.received.map((entry) => spec.eventOf(entry))).toEqual(events);
  });

  it('retries a wrong credential (the stream pauses with the reason) without echoing it', async () => {
    const wrong = createDestination(spec.badCredential(spec.config(receiver.url)), {
      timeoutMs: 2000,
    });
    const result = await wrong.deliver(sampleAuditEvents(1));
    await wrong.close();
    expect(result).toMatchObject({ kind: 'retry', status: spec.unauthorized });
    expect(JSON.stringify(result)).not.toContain(spec.secret);
  });

  it('blanks the secret when the receiver echoes it in an error', async () => {
    receiver.respondNext({ status: 400, body: `refused credential ${spec.secret}` });
    const result = await destination.deliver(sampleAuditEvents(1));
    expect(result).toMatchObject({
      kind: 'rejected',
      error: 'HTTP 400: refused credential [redacted]',
    });
  });

  it('retries when the answer takes longer than the timeout', async () => {
    receiver.respondNext({ status: 200, delayMs: 2500 });
    const result = await destination.deliver(sampleAuditEvents(1));
    expect(result).toMatchObject({ kind: 'retry', error: 'no answer within 2000 ms' });
  });

  it('connects through the given lookup', async () => {
    const looked: string[] = [];
    const lookup: LookupFunction = (hostname, options, callback) => {
      looked.push(hostname);
      loopbackLookup(hostname, options, callback);
    };
    const url = receiver.url.replace('127.0.0.1', 'receiver.invalid');
    const viaName = createDestination(spec.config(url), { timeoutMs: 2000, lookup });
    const result = await viaName.deliver(sampleAuditEvents(2));
    await viaName.close();
    expect(result.kind).toBe('delivered');
    expect(looked).toContain('receiver.invalid');
  });

  it('retries when the lookup refuses the address', async () => {
    const refuse: LookupFunction = (hostname, _options, callback) =>
      callback(
        Object.assign(new Error(`egress to ${hostname} refused`), { code: 'EEGRESS' }),
        '',
        4,
      );
    const url = receiver.url.replace('127.0.0.1', 'internal.invalid');
    const guarded = createDestination(spec.config(url), { timeoutMs: 2000, lookup: refuse });
    const result = await guarded.deliver(sampleAuditEvents(1));
    await guarded.close();
    expect(result).toMatchObject({ kind: 'retry', error: 'egress to internal.invalid refused' });
    expect(receiver.requests).toEqual([]);
  });
});

describe('HTTP destinations and an empty batch', () => {
  it.each(cases)('$name: delivered without a request', async (spec) => {
    const receiver = await spec.start();
    const destination = createDestination(spec.config(receiver.url), { timeoutMs: 2000 });
    await expect(destination.deliver([])).resolves.toEqual({ kind: 'delivered' });
    await destination.close();
    await receiver.close();
    expect(receiver.requests).toEqual([]);
  });
});

describe('HTTP destinations with nothing listening', () => {
  it.each(cases)('$name: connection refused → retry', async (spec) => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const destination = createDestination(spec.config(url), { timeoutMs: 2000 });
    const result = await destination.deliver(sampleAuditEvents(1));
    await destination.close();
    expect(result).toMatchObject({ kind: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('Splunk HEC specifics', () => {
  it('sends the HEC envelope, gzip-compressed when large, and maps an unknown index to retry', async () => {
    const receiver = await startHecReceiver({ token: TOKEN, indexes: ['audit'] });
    const destination = createDestination(
      { type: 'splunk_hec', url: receiver.url, token: TOKEN, index: 'audit', source: 'app' },
      { timeoutMs: 2000, hostname: 'appliance-1' },
    );
    const events = sampleAuditEvents(20);
    await expect(destination.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    const request = firstOf(receiver.requests);
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.headers.authorization).toBe(`Splunk ${TOKEN}`);
    expect(firstOf(receiver.received)).toEqual({
      time: Date.parse(firstOf(events).timestamp) / 1000,
      host: 'appliance-1',
      source: 'app',
      sourcetype: '_json',
      index: 'audit',
      event: firstOf(events),
    });
    await destination.close();
    const wrongIndex = createDestination(
      { type: 'splunk_hec', url: receiver.url, token: TOKEN, index: 'nope' },
      { timeoutMs: 2000 },
    );
    await expect(wrongIndex.deliver(events)).resolves.toMatchObject({
      kind: 'retry',
      status: 400,
      error: expect.stringContaining('Incorrect index') as unknown,
    });
    await wrongIndex.close();
    await receiver.close();
  });
});

describe('Datadog specifics', () => {
  let receiver: HttpReceiver<Record<string, unknown>>;
  let destination: Destination;
  beforeEach(async () => {
    receiver = await startDatadogReceiver({ apiKey: API_KEY });
    destination = createDestination(
      { type: 'datadog', site_url: receiver.url, api_key: API_KEY },
      { timeoutMs: 10_000 },
    );
  });
  afterEach(async () => {
    await destination.close();
    await receiver.close();
  });

  it('splits a batch above 1000 entries into requests within the intake limit', async () => {
    const events = sampleAuditEvents(2500);
    await expect(destination.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    expect(
      receiver.requests.map((request) => (JSON.parse(request.body.toString()) as unknown[]).length),
    ).toEqual([1000, 1000, 500]);
    expect(ids(receiver.received.map((entry) => entry.auditlog as AuditEvent))).toEqual(
      ids(events),
    );
  });

  it('splits a batch above 5 MB and delivers it only when every part was', async () => {
    const events = sampleAuditEvents(300, { details: { blob: 'x'.repeat(30_000) } });
    receiver.respondNext({}, { status: 503, retryAfter: 1 });
    const first = await destination.deliver(events);
    expect(first).toMatchObject({ kind: 'retry', status: 503, retryAfterMs: 1000 });
    expect(first.kind === 'retry' && first.error).toMatch(/^request 2 of 2: HTTP 503/);
    const partial = receiver.received.length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(300);
    await expect(destination.deliver(events)).resolves.toMatchObject({ kind: 'delivered' });
    expect(receiver.requests.every((request) => request.body.length <= 5 * 1024 * 1024)).toBe(true);
    // At least once: the redelivered batch repeats the part that had gone through.
    const seen = ids(receiver.received.map((entry) => entry.auditlog as AuditEvent));
    expect(seen.slice(partial)).toEqual(ids(events));
  });

  it('maps 413 to rejected', async () => {
    receiver.respondNext({ status: 413 });
    await expect(destination.deliver(sampleAuditEvents(1))).resolves.toMatchObject({
      kind: 'rejected',
      status: 413,
    });
  });
});

describe('webhook specifics', () => {
  it('signs what a receiver can verify, sends NDJSON and custom headers', async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET });
    const destination = createDestination(
      {
        type: 'webhook',
        url: receiver.url,
        signing_secret: SECRET,
        format: 'ndjson',
        headers: { Authorization: 'Bearer extra' },
      },
      { timeoutMs: 2000, productVersion: '9.9.9' },
    );
    const events = sampleAuditEvents(3);
    await expect(destination.deliver(events)).resolves.toMatchObject({
      kind: 'delivered',
      status: 200,
    });
    const request = only(receiver.requests, 'request');
    expect(request.headers['content-type']).toBe('application/x-ndjson');
    expect(request.headers.authorization).toBe('Bearer extra');
    expect(request.headers['user-agent']).toBe('auditlog-appliance/9.9.9');
    const timestamp = request.headers['x-auditlog-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(
      verifyWebhookSignature(
        SECRET,
        timestamp,
        request.raw,
        request.headers['x-auditlog-signature'] as string,
      ),
    ).toBe(true);
    expect(receiver.received).toEqual(events);
    await destination.close();
    await receiver.close();
  });
  it('posts to the URL as configured, path and query kept', async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET, path: '/in/audit/' });
    const destination = createDestination(
      { type: 'webhook', url: `${receiver.url}/in/audit/?token=abc&x=1`, signing_secret: SECRET },
      { timeoutMs: 2000 },
    );
    await expect(destination.deliver(sampleAuditEvents(1))).resolves.toMatchObject({
      kind: 'delivered',
    });
    expect(receiver.requests.map((request) => request.path)).toEqual(['/in/audit/?token=abc&x=1']);
    await destination.close();
    await receiver.close();
  });
});
