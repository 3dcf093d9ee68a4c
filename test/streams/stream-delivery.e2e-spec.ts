import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import {
  adminToken,
  type AppProcess,
  dropPrefix,
  freePort,
  type HttpReceiver,
  parseRfc5424,
  type Rsyslog,
  startApp,
  startProcess,
  startRsyslog,
  startWebhookReceiver,
  stopProcess,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { QueryModule } from '../../apps/query/src/query.module';

type Received = Record<string, unknown> & { id: string; company_id: string; action: string };

interface StreamView {
  id: string;
  state: {
    status: string;
    paused_reason?: string;
    delivered_events: number;
    dead_lettered_batches: number;
    dead_letters?: Array<{ status?: number; count: number }>;
    last_error?: string;
  };
}

const SIGNING_SECRET = 'whsec-' + 'x'.repeat(32);

describe('stream delivery (maintenance worker, real receivers)', () => {
  const setup = testEnvironment('stream-delivery', undefined, {
    STREAM_SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    STREAM_DESTINATIONS_ALLOW_HTTP: 'true',
    EGRESS_ALLOWED_CIDRS: '127.0.0.0/8',
    TAIL_SETTLE_SECONDS: '1',
    STREAM_RETRY_MAX_SECONDS: '3',
  });
  const admin = adminToken(setup.jwtSecret);
  let client: Client;
  let ingest: INestApplication;
  let query: INestApplication;
  let worker: AppProcess | undefined;
  let healthPort: number;
  const receivers: Array<HttpReceiver<unknown>> = [];
  let rsyslog: Rsyslog | undefined;

  const api = () => request(query.getHttpServer());
  const startWorker = async () => {
    worker = await startProcess('maintenance', {
      ...setup.env,
      MAINTENANCE_HEALTH_PORT: String(healthPort),
    });
  };

  async function webhook(): Promise<HttpReceiver<Received>> {
    const receiver = (await startWebhookReceiver({
      secret: SIGNING_SECRET,
    })) as HttpReceiver<Received>;
    receivers.push(receiver);
    return receiver;
  }

  async function createStream(body: Record<string, unknown>): Promise<StreamView> {
    const response = await api()
      .post('/v1/admin/streams')
      .set('authorization', `Bearer ${admin}`)
      .send({
        name: `s-${randomBytes(3).toString('hex')}`,
        start_at: new Date().toISOString(),
        ...body,
      });
    expect(response.status).toBe(201);
    return response.body as StreamView;
  }

  const webhookDestination = (receiver: HttpReceiver<unknown>) => ({
    type: 'webhook',
    url: `${receiver.url}/hook`,
    signing_secret: SIGNING_SECRET,
  });

  const stream = async (id: string): Promise<StreamView> =>
    (await api().get(`/v1/admin/streams/${id}`).set('authorization', `Bearer ${admin}`))
      .body as StreamView;

  /** Ingests the events in batches of 100; answers the stored ids in order sent. */
  async function ingestEvents(events: Array<Record<string, unknown>>): Promise<Received[]> {
    const stored: Received[] = [];
    for (let start = 0; start < events.length; start += 100) {
      const chunk = events.slice(start, start + 100);
      const response = await request(ingest.getHttpServer())
        .post('/v1/events/batch')
        .set('authorization', `Bearer ${setup.keys.any.secret}`)
        .send(chunk);
      expect(response.status).toBe(200);
      const results = response.body.results as Array<{ id: string }>;
      results.forEach((result, index) =>
        stored.push({ ...(chunk[index] as Received), id: result.id }),
      );
    }
    return stored;
  }

  const events = (count: number, make: (index: number) => Record<string, unknown>) =>
    Array.from({ length: count }, (_, index) => ({
      actor: { id: 'alice' },
      ...make(index),
    }));

  /** The admin's tail of one company and action prefix: the order streams must keep. */
  async function tailOrder(params: Record<string, string>): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const response = await api()
        .get('/v1/events/tail')
        .query({ ...params, limit: '1000', ...(after ? { after } : {}) })
        .set('authorization', `Bearer ${admin}`);
      expect(response.status).toBe(200);
      const page = response.body as { data: Received[]; after: string };
      if (page.data.length === 0) return ids;
      ids.push(...page.data.map((event) => `${event.company_id}/${event.id}`));
      after = page.after;
    }
  }

  const keyOf = (event: Received) => `${event.company_id}/${event.id}`;

  beforeAll(async () => {
    client = testClient();
    healthPort = await freePort();
    ingest = await startApp('ingest', IngestModule, setup.env);
    query = await startApp('query', QueryModule, setup.env);
    await startWorker();
  }, 60_000);

  afterAll(async () => {
    await stopProcess(worker);
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await rsyslog?.stop();
    await query?.close();
    await ingest?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client?.close();
  });

  it("delivers one company's events only, each once, in tail order, and counts them", async () => {
    const receiver = await webhook();
    const created = await createStream({
      company_id: 'acme',
      filters: { action_prefixes: ['iso.'] },
      destination: webhookDestination(receiver),
      batch: { max_events: 40, max_wait_ms: 200 },
    });
    const stored = await ingestEvents(
      events(300, (index) => ({
        company_id: index % 2 === 0 ? 'acme' : 'globex',
        action: index % 3 === 0 ? 'other.done' : 'iso.done',
      })),
    );
    const expected = stored.filter(
      (event) => event.company_id === 'acme' && event.action === 'iso.done',
    );
    await receiver.waitForCount(expected.length, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(receiver.received.map(keyOf)).toEqual(
      await tailOrder({ company_id: 'acme', action: 'iso.*' }),
    );
    expect(new Set(receiver.received.map(keyOf))).toEqual(new Set(expected.map(keyOf)));
    expect(receiver.received.every((event) => event.company_id === 'acme')).toBe(true);
    expect(receiver.received.every((event) => event.ingest === undefined)).toBe(true);
    await waitFor(
      async () => (await stream(created.id)).state.delivered_events === expected.length,
      {
        timeoutMs: 10_000,
      },
    );
    const metrics = await fetch(`http://127.0.0.1:${healthPort}/metrics`).then((answer) =>
      answer.text(),
    );
    expect(metrics).toMatch(
      new RegExp(
        `auditlog_stream_delivered_events_total\\{[^}]*stream="${created.id}"[^}]*\\} ${expected.length}`,
      ),
    );
    expect(metrics).toMatch(
      new RegExp(`auditlog_stream_lag_seconds\\{[^}]*stream="${created.id}"`),
    );
  }, 60_000);

  it('delivers every event to rsyslog over TCP as RFC 5424, in order', async () => {
    rsyslog = await startRsyslog();
    await createStream({
      filters: { categories: ['syslogged'] },
      destination: { type: 'syslog', host: '127.0.0.1', port: rsyslog.port, format: 'rfc5424' },
      batch: { max_events: 100, max_wait_ms: 200 },
    });
    const stored = await ingestEvents(
      events(250, (index) => ({
        company_id: index % 2 === 0 ? 'acme' : 'initech',
        action: 'syslogged.sent',
      })),
    );
    const lines = await rsyslog.waitForLines(stored.length, 30_000);
    const messages = lines.map(parseRfc5424);
    const delivered = messages.map((message) => {
      const event = JSON.parse(message.msg) as Received;
      return keyOf(event);
    });
    expect(delivered).toEqual(await tailOrder({ action: 'syslogged.*' }));
    expect(new Set(delivered)).toEqual(new Set(stored.map(keyOf)));
    expect(messages.every((message) => message.msgId === 'syslogged.sent')).toBe(true);
  }, 60_000);

  it('loses nothing when the worker is SIGKILLed mid-delivery; repeats at most the unacknowledged batch', async () => {
    const receiver = await webhook();
    const maxEvents = 50;
    await createStream({
      filters: { action_prefixes: ['kill.'] },
      destination: webhookDestination(receiver),
      batch: { max_events: maxEvents, max_wait_ms: 200 },
    });
    // Every answer takes 400 ms, so the kill lands while a batch is in flight.
    receiver.respondNext(...Array.from({ length: 60 }, () => ({ delayMs: 400 })));
    const stored = await ingestEvents(
      events(1000, () => ({ company_id: 'acme', action: 'kill.sent' })),
    );
    await receiver.waitForCount(200, 30_000);
    await stopProcess(worker, 'SIGKILL');
    await startWorker();
    const expected = new Set(stored.map(keyOf));
    await waitFor(
      () => Promise.resolve(new Set(receiver.received.map(keyOf)).size === expected.size),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    const received = receiver.received.map(keyOf);
    expect(new Set(received)).toEqual(expected);
    const duplicates = received.length - expected.size;
    expect(duplicates).toBeLessThanOrEqual(maxEvents);
    // A redelivery starts where the acknowledged part ended: the order is kept.
    const firstSeen = [...new Set(received)];
    expect(firstSeen).toEqual(await tailOrder({ action: 'kill.*' }));
  }, 120_000);

  it('dead-letters a rejected batch and goes on, or pauses on it, by policy', async () => {
    const letters = await webhook();
    const pauses = await webhook();
    const skipping = await createStream({
      filters: { action_prefixes: ['reject.'] },
      destination: webhookDestination(letters),
      batch: { max_events: 10, max_wait_ms: 200 },
      on_rejected: 'dead_letter',
    });
    const pausing = await createStream({
      filters: { action_prefixes: ['reject.'] },
      destination: webhookDestination(pauses),
      batch: { max_events: 10, max_wait_ms: 200 },
      on_rejected: 'pause',
    });
    letters.respondNext({ status: 400, body: { error: 'schema mismatch' } });
    pauses.respondNext({ status: 400, body: { error: 'schema mismatch' } });
    const stored = await ingestEvents(
      events(30, () => ({ company_id: 'acme', action: 'reject.sent' })),
    );

    await letters.waitForCount(20, 30_000);
    const skipped = await waitFor(
      async () => {
        const view = await stream(skipping.id);
        return view.state.dead_lettered_batches === 1 && view.state.delivered_events === 20 && view;
      },
      { timeoutMs: 15_000 },
    );
    expect(skipped.state.dead_letters).toEqual([
      expect.objectContaining({ status: 400, count: 10 }),
    ]);
    expect(letters.received).toHaveLength(20);

    const paused = await waitFor(
      async () => {
        const view = await stream(pausing.id);
        return view.state.status === 'paused' && view;
      },
      { timeoutMs: 15_000 },
    );
    expect(paused.state.paused_reason).toMatch(/rejected a batch of 10 events: HTTP 400/);
    expect(pauses.received).toHaveLength(0);
    const resumed = await api()
      .post(`/v1/admin/streams/${pausing.id}/resume`)
      .set('authorization', `Bearer ${admin}`);
    expect(resumed.status).toBe(200);
    await pauses.waitForCount(30, 30_000);
    expect(new Set(pauses.received.map(keyOf))).toEqual(new Set(stored.map(keyOf)));
  }, 60_000);

  it('catches up after its destination was down for two minutes; pauses itself when it stays down', async () => {
    const port = await freePort();
    const flaky = await webhook();
    await flaky.close();
    const recovering = await createStream({
      filters: { action_prefixes: ['down.'] },
      destination: { ...webhookDestination(flaky), url: `http://127.0.0.1:${port}/hook` },
      batch: { max_events: 100, max_wait_ms: 200 },
    });
    const giving = await createStream({
      filters: { action_prefixes: ['down.'] },
      destination: {
        ...webhookDestination(flaky),
        url: `http://127.0.0.1:${await freePort()}/never`,
      },
      batch: { max_events: 100, max_wait_ms: 200 },
      pause_after_failing_seconds: 60,
    });
    const downSince = Date.now();
    const stored: Received[] = [];
    while (Date.now() - downSince < 120_000) {
      stored.push(
        ...(await ingestEvents(events(20, () => ({ company_id: 'acme', action: 'down.sent' })))),
      );
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    const failing = await stream(recovering.id);
    expect(failing.state.status).toBe('failing');
    expect(failing.state.last_error).toMatch(/ECONNREFUSED/);
    const gaveUp = await stream(giving.id);
    expect(gaveUp.state.status).toBe('paused');
    expect(gaveUp.state.paused_reason).toMatch(/paused itself after failing for \d+ s/);

    const back = (await startWebhookReceiverOn(port)) as HttpReceiver<Received>;
    await back.waitForCount(stored.length, 30_000);
    expect(new Set(back.received.map(keyOf))).toEqual(new Set(stored.map(keyOf)));
    await waitFor(async () => (await stream(recovering.id)).state.status === 'active', {
      timeoutMs: 10_000,
    });
  }, 200_000);

  it('sends one test event through the worker and reports the answer', async () => {
    const receiver = await webhook();
    const created = await createStream({
      destination: webhookDestination(receiver),
      filters: { action_prefixes: ['nothing.'] },
    });
    const tested = await api()
      .post(`/v1/admin/streams/${created.id}/test`)
      .set('authorization', `Bearer ${admin}`);
    expect(tested.status).toBe(200);
    expect(tested.body.result).toEqual({ kind: 'delivered', status: 200 });
    expect(receiver.received).toEqual([
      expect.objectContaining({ action: 'audit_log.stream_tested' }),
    ]);

    receiver.respondNext({ status: 403, body: { error: 'bad key' } });
    const refused = await api()
      .post(`/v1/admin/streams/${created.id}/test`)
      .set('authorization', `Bearer ${admin}`);
    expect(refused.body.result).toMatchObject({ status: 403 });
  });

  async function startWebhookReceiverOn(port: number): Promise<HttpReceiver<unknown>> {
    const receiver = await startWebhookReceiver({ secret: SIGNING_SECRET, port });
    receivers.push(receiver);
    return receiver;
  }
});
