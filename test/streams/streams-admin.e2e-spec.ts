import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { loadConfig } from '@auditlog/config';
import { IndexNames } from '@auditlog/opensearch';
import {
  STREAM_TEST_JOB,
  STREAM_TEST_QUEUE,
  type StreamTestJobData,
  type StreamTestJobResult,
  StreamRepository,
} from '@auditlog/streams';
import {
  adminToken,
  dropPrefix,
  keyLine,
  newSecret,
  ownerToken,
  startApp,
  testClient,
  testEnvironment,
} from '@auditlog/testing';
import { QueryModule } from '../../apps/query/src/query.module';

const HEC_TOKEN = 'hec-token-never-returned-7f3a';
const SIGNING = 'webhook-signing-secret-never-returned';
const HEADER_VALUE = 'Bearer header-value-never-returned';
const SECRETS = [HEC_TOKEN, SIGNING, HEADER_VALUE];
const DAY = 86_400_000;

const splunk = {
  type: 'splunk_hec',
  url: 'https://splunk.example.com:8088',
  token: HEC_TOKEN,
  index: 'audit',
};
const webhook = {
  type: 'webhook',
  url: 'https://siem.example.com/hooks/audit',
  signing_secret: SIGNING,
  headers: { Authorization: HEADER_VALUE },
};

describe('stream admin API (query app)', () => {
  const hostKey = newSecret();
  const setup = testEnvironment('streams-admin', undefined, {
    STREAM_SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    VIEWER_TOKEN_KEYS: keyLine({ id: 'host', secret: hostKey, companies: ['acme'] }),
    RETENTION_CLASSES: '7d,30d',
    DEFAULT_RETENTION_CLASS: '30d',
  });
  const admin = adminToken(setup.jwtSecret);
  const owner = ownerToken(setup.jwtSecret, 'acme');
  const names = new IndexNames(setup.indexPrefix);
  let app: INestApplication;
  let client: Client;
  let repository: StreamRepository;

  const call = (
    method: 'get' | 'post' | 'patch' | 'delete',
    path: string,
    body?: object,
    bearer: string | null = admin,
  ) => {
    let req = request(app.getHttpServer())[method](`/v1/admin/streams${path}`);
    if (bearer !== null) req = req.set('authorization', `Bearer ${bearer}`);
    return body === undefined ? req : req.send(body);
  };
  const create = async (body: object = {}) => {
    const response = await call('post', '', { name: 'Splunk', destination: splunk, ...body });
    expect(response.status).toBe(201);
    return response.body as { id: string; state: Record<string, unknown> } & Record<
      string,
      unknown
    >;
  };
  const raw = async (id: string) =>
    (await client.get({ index: names.streamsAlias, id })).body._source as Record<string, unknown>;
  const count = async () => {
    await client.indices.refresh({ index: names.streamsAlias });
    return (await client.count({ index: names.streamsAlias })).body.count;
  };
  const expectNoSecret = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  };

  beforeAll(async () => {
    client = testClient();
    app = await startApp('query', QueryModule, setup.env);
    repository = new StreamRepository(client, names, loadConfig('query', setup.env));
  });

  afterAll(async () => {
    await app?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  describe('who may manage streams', () => {
    it('admits installation admins only', async () => {
      const minted = await request(app.getHttpServer())
        .post('/v1/viewer-tokens')
        .set('authorization', `Bearer ${admin}`)
        .send({ company_id: 'acme', subject: 'host-user' })
        .expect(201);
      const session = await request(app.getHttpServer())
        .post('/v1/viewer-sessions')
        .send({ token: minted.body.token })
        .expect(201);
      const viewer = session.body.session_token as string;
      for (const [bearer, status] of [
        [null, 401],
        [owner, 403],
        [viewer, 403],
      ] as const) {
        const listed = await call('get', '', undefined, bearer);
        expect(listed.status).toBe(status);
        expect(listed.headers['content-type']).toContain('application/problem+json');
        const created = await call('post', '', { name: 'x', destination: splunk }, bearer);
        expect(created.status).toBe(status);
      }
      expect(await count()).toBe(0);
    });
  });

  describe('CRUD', () => {
    it('creates with defaults, answers without secrets and stores them sealed', async () => {
      const before = Date.now();
      const response = await call('post', '', { name: 'Webhook', destination: webhook });
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`/v1/admin/streams/${response.body.id}`);
      expect(response.headers.etag).toMatch(/^"\d+-\d+"$/);
      expect(response.body).toMatchObject({
        name: 'Webhook',
        company_id: null,
        filters: {},
        destination: {
          type: 'webhook',
          url: 'https://siem.example.com/hooks/audit',
          signing_secret_set: true,
          header_names: ['Authorization'],
        },
        batch: { max_events: 500, max_wait_ms: 1000 },
        pause_after_failing_seconds: 3600,
        on_rejected: 'pause',
        state: {
          status: 'active',
          cursor: null,
          delivered_events: 0,
          failed_attempts: 0,
          dead_lettered_batches: 0,
        },
      });
      expect(Date.parse(response.body.state.start_at)).toBeGreaterThanOrEqual(before - 1000);
      expect(response.body).not.toHaveProperty('secrets');
      expect(response.body.destination).not.toHaveProperty('signing_secret');
      expect(response.body.destination).not.toHaveProperty('headers');
      expectNoSecret(response.body);

      const stored = await raw(response.body.id as string);
      expectNoSecret(stored);
      expect(stored.secrets).toMatchObject({ kid: 'k1' });
      const read = await repository.get(response.body.id as string);
      expect(read && repository.decryptDestination(read.stream)).toEqual({
        type: 'webhook',
        url: 'https://siem.example.com/hooks/audit',
        signing_secret: SIGNING,
        headers: { Authorization: HEADER_VALUE },
      });
    });

    it('lists, reads, changes and deletes', async () => {
      const stream = await create({
        company_id: 'acme',
        filters: { categories: ['auth'], action_prefixes: ['auth.'], outcomes: ['failure'] },
        batch: { max_events: 100 },
        on_rejected: 'dead_letter',
      });
      const listed = await call('get', '').expect(200);
      expect(listed.body.streams.map((each: { id: string }) => each.id)).toContain(stream.id);
      expectNoSecret(listed.body);

      const read = await call('get', `/${stream.id}`).expect(200);
      expect(read.body).toEqual(stream);
      expect(read.headers.etag).toMatch(/^"\d+-\d+"$/);

      // A destination without its secret keeps the stored one; other fields are replaced.
      const changed = await call('patch', `/${stream.id}`, {
        name: 'Splunk (EU)',
        batch: { max_wait_ms: 250 },
        destination: { type: 'splunk_hec', url: 'https://splunk.eu.example.com:8088' },
      }).expect(200);
      expect(changed.body).toMatchObject({
        name: 'Splunk (EU)',
        company_id: 'acme',
        batch: { max_events: 100, max_wait_ms: 250 },
        destination: {
          type: 'splunk_hec',
          url: 'https://splunk.eu.example.com:8088',
          token_set: true,
        },
        state: stream.state,
      });
      expect(changed.body.destination).not.toHaveProperty('index');
      expect(changed.headers.etag).not.toBe(read.headers.etag);
      expectNoSecret(changed.body);
      const after = await repository.get(stream.id);
      expect(after && repository.decryptDestination(after.stream)).toMatchObject({
        token: HEC_TOKEN,
      });
      // Back to all companies.
      await call('patch', `/${stream.id}`, { company_id: null }).expect(200);
      expect((await call('get', `/${stream.id}`).expect(200)).body.company_id).toBeNull();

      await call('delete', `/${stream.id}`).expect(204);
      await call('get', `/${stream.id}`).expect(404);
      await call('delete', `/${stream.id}`).expect(404);
      await call('patch', `/${stream.id}`, { name: 'x' }).expect(404);
    });

    it('refuses secrets while no key is configured, and names the variable', async () => {
      const keyless = await startApp('query', QueryModule, {
        ...setup.env,
        STREAM_SECRETS_KEYS: undefined,
      });
      try {
        const before = await count();
        const refused = await request(keyless.getHttpServer())
          .post('/v1/admin/streams')
          .set('authorization', `Bearer ${admin}`)
          .send({ name: 'Splunk', destination: splunk });
        expect(refused.status).toBe(503);
        expect(refused.body).toMatchObject({
          type: expect.stringContaining('stream-secrets-key-missing'),
        });
        expect(refused.body.detail).toContain('STREAM_SECRETS_KEY');
        expect(await count()).toBe(before);
        // A stored secret whose key is not configured cannot be kept: it must be given again.
        const stored = await create();
        const patched = await request(keyless.getHttpServer())
          .patch(`/v1/admin/streams/${stored.id}`)
          .set('authorization', `Bearer ${admin}`)
          .send({ destination: { type: 'splunk_hec', url: splunk.url } });
        expect(patched.status).toBe(400);
        expect(patched.body.errors).toEqual([
          { path: 'destination.token', message: 'destination.token is required' },
        ]);
        // A destination without secrets needs no key.
        await request(keyless.getHttpServer())
          .post('/v1/admin/streams')
          .set('authorization', `Bearer ${admin}`)
          .send({
            name: 'syslog',
            destination: { type: 'syslog', host: 'siem.example.com', port: 6514, tls: true },
          })
          .expect(201);
      } finally {
        await keyless.close();
      }
    });
  });

  describe('bad input: 400 with the field path, nothing stored', () => {
    const valid = { name: 'Splunk', destination: splunk };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['missing name', { destination: splunk }, 'name'],
      ['empty name', { ...valid, name: ' ' }, 'name'],
      ['unknown field', { ...valid, colour: 'red' }, 'colour'],
      ['bad company_id', { ...valid, company_id: 'a b' }, 'company_id'],
      ['filters not an object', { ...valid, filters: 'auth' }, 'filters'],
      ['bad category', { ...valid, filters: { categories: ['Auth!'] } }, 'filters.categories'],
      [
        'bad action prefix',
        { ...valid, filters: { action_prefixes: ['a*'] } },
        'filters.action_prefixes',
      ],
      ['bad outcome', { ...valid, filters: { outcomes: ['maybe'] } }, 'filters.outcomes'],
      ['unknown filter', { ...valid, filters: { actors: ['x'] } }, 'filters.actors'],
      ['batch too large', { ...valid, batch: { max_events: 10_001 } }, 'batch.max_events'],
      ['batch too small', { ...valid, batch: { max_events: 0 } }, 'batch.max_events'],
      ['wait too short', { ...valid, batch: { max_wait_ms: 99 } }, 'batch.max_wait_ms'],
      ['wait too long', { ...valid, batch: { max_wait_ms: 60_001 } }, 'batch.max_wait_ms'],
      [
        'pause after not an integer',
        { ...valid, pause_after_failing_seconds: 1.5 },
        'pause_after_failing_seconds',
      ],
      ['bad on_rejected', { ...valid, on_rejected: 'drop' }, 'on_rejected'],
      ['start_at not a date', { ...valid, start_at: 'yesterday' }, 'start_at'],
      [
        'start_at in the future',
        { ...valid, start_at: new Date(Date.now() + DAY).toISOString() },
        'start_at',
      ],
      [
        'start_at beyond retention',
        { ...valid, start_at: new Date(Date.now() - 31 * DAY).toISOString() },
        'start_at',
      ],
      ['missing destination', { name: 'x' }, 'destination'],
      ['destination not an object', { name: 'x', destination: 'splunk' }, 'destination'],
      ['unknown type', { name: 'x', destination: { type: 'kafka' } }, 'destination.type'],
      [
        'missing url',
        { name: 'x', destination: { type: 'splunk_hec', token: 't' } },
        'destination.url',
      ],
      [
        'plain http',
        { name: 'x', destination: { ...splunk, url: 'http://splunk.example.com' } },
        'destination.url',
      ],
      [
        'ftp url',
        { name: 'x', destination: { ...splunk, url: 'ftp://splunk.example.com' } },
        'destination.url',
      ],
      [
        'url with credentials',
        { name: 'x', destination: { ...splunk, url: 'https://u:p@splunk.example.com' } },
        'destination.url',
      ],
      [
        'missing token',
        { name: 'x', destination: { type: 'splunk_hec', url: splunk.url } },
        'destination.token',
      ],
      [
        'unknown destination field',
        { name: 'x', destination: { ...splunk, password: 'p' } },
        'destination.password',
      ],
      [
        'bad datadog site',
        { name: 'x', destination: { type: 'datadog', api_key: 'k', site_url: 'datadog' } },
        'destination.site_url',
      ],
      [
        'bad datadog tags',
        { name: 'x', destination: { type: 'datadog', api_key: 'k', tags: [1] } },
        'destination.tags',
      ],
      [
        'short signing secret',
        { name: 'x', destination: { ...webhook, signing_secret: 'short' } },
        'destination.signing_secret',
      ],
      [
        'bad webhook format',
        { name: 'x', destination: { ...webhook, format: 'xml' } },
        'destination.format',
      ],
      [
        'reserved header',
        { name: 'x', destination: { ...webhook, headers: { 'Content-Type': 'x' } } },
        'destination.headers["Content-Type"]',
      ],
      [
        'multi-line header',
        { name: 'x', destination: { ...webhook, headers: { 'X-Key': 'a\r\nb' } } },
        'destination.headers["X-Key"]',
      ],
      [
        'syslog without port',
        { name: 'x', destination: { type: 'syslog', host: 'siem.example.com' } },
        'destination.port',
      ],
      [
        'syslog bad port',
        { name: 'x', destination: { type: 'syslog', host: 'siem.example.com', port: 70_000 } },
        'destination.port',
      ],
      [
        'syslog bad host',
        { name: 'x', destination: { type: 'syslog', host: 'bad host', port: 514 } },
        'destination.host',
      ],
      [
        'syslog bad facility',
        { name: 'x', destination: { type: 'syslog', host: 'h', port: 514, facility: 24 } },
        'destination.facility',
      ],
      [
        'syslog bad ca',
        { name: 'x', destination: { type: 'syslog', host: 'h', port: 514, ca: 'not pem' } },
        'destination.ca',
      ],
      [
        'bulk bad index',
        {
          name: 'x',
          destination: { type: 'opensearch_bulk', url: 'https://os.example.com', index: 'Audit*' },
        },
        'destination.index',
      ],
      [
        'bulk password without user',
        {
          name: 'x',
          destination: {
            type: 'elasticsearch_bulk',
            url: 'https://es.example.com',
            index: 'audit',
            password: 'p',
          },
        },
        'destination.username',
      ],
    ];

    it.each(cases)('%s → %s', async (_label, body, path) => {
      const before = await count();
      const response = await call('post', '', body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
      expectNoSecret(response.body);
      expect(await count()).toBe(before);
    });

    it('refuses a bad PATCH and keeps the stream as it was', async () => {
      const stream = await create();
      for (const [body, path] of [
        [{ batch: { max_events: 0 } }, 'batch.max_events'],
        [{ destination: { type: 'webhook', url: webhook.url } }, 'destination.signing_secret'],
        [{ state: { status: 'active' } }, 'state'],
      ] as const) {
        const response = await call('patch', `/${stream.id}`, body);
        expect(response.status).toBe(400);
        expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
      }
      expect((await call('get', `/${stream.id}`).expect(200)).body).toEqual(stream);
      await call('get', '/bad%20id').expect(400);
    });
  });

  describe('concurrency', () => {
    it('answers 412 to a stale If-Match and applies a current one', async () => {
      const stream = await create();
      const read = await call('get', `/${stream.id}`).expect(200);
      const etag = read.headers.etag ?? '';
      const first = await call('patch', `/${stream.id}`, { name: 'first' }).set('If-Match', etag);
      expect(first.status).toBe(200);
      const second = await call('patch', `/${stream.id}`, { name: 'second' }).set('If-Match', etag);
      expect(second.status).toBe(412);
      expect(second.body.type).toContain('stream-changed');
      const paused = await call('post', `/${stream.id}/pause`, {}).set('If-Match', etag);
      expect(paused.status).toBe(412);
      await call('delete', `/${stream.id}`).set('If-Match', etag).expect(412);
      const now = await call('get', `/${stream.id}`).expect(200);
      expect(now.body).toMatchObject({ name: 'first', state: { status: 'active' } });
      await call('post', `/${stream.id}/pause`, {})
        .set('If-Match', now.headers.etag ?? '')
        .expect(200);
    });

    it('keeps every concurrent change without If-Match: admins and the runner', async () => {
      const stream = await create();
      const runnerRead = await repository.get(stream.id);
      if (!runnerRead) throw new Error('missing');
      const responses = await Promise.all([
        call('patch', `/${stream.id}`, { name: 'renamed' }),
        call('patch', `/${stream.id}`, { batch: { max_events: 42 } }),
        call('patch', `/${stream.id}`, { on_rejected: 'dead_letter' }),
        call('post', `/${stream.id}/pause`, { reason: 'change window' }),
      ]);
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      const final = (await call('get', `/${stream.id}`).expect(200)).body;
      expect(final).toMatchObject({
        name: 'renamed',
        batch: { max_events: 42 },
        on_rejected: 'dead_letter',
        state: { status: 'paused', paused_reason: 'change window' },
      });
      // The runner's cursor move from before the pause loses and must read again.
      const cursor = { indexed_at: Date.now(), company_id: 'acme', id: 'evt-1' };
      expect(
        await repository.compareAndSetState(stream.id, runnerRead.version, {
          ...runnerRead.stream.state,
          cursor,
        }),
      ).toBe(false);
      expect((await call('get', `/${stream.id}`).expect(200)).body.state.status).toBe('paused');
      // A runner write at the current version lands, and the admin's next change keeps it.
      const current = await repository.get(stream.id);
      expect(
        await repository.compareAndSetState(stream.id, current!.version, {
          ...current!.stream.state,
          cursor,
          delivered_events: 5,
        }),
      ).toBe(true);
      const renamed = await call('patch', `/${stream.id}`, { name: 'again' }).expect(200);
      expect(renamed.body.state).toMatchObject({ cursor, delivered_events: 5, status: 'paused' });
    });
  });

  describe('pause, resume, replay', () => {
    it('moves the state as documented', async () => {
      const stream = await create({ company_id: 'acme' });
      // As the runner leaves a failing stream, with a cursor.
      const read = await repository.get(stream.id);
      const cursor = { indexed_at: Date.now() - 1000, company_id: 'acme', id: 'evt-9' };
      await repository.compareAndSetState(stream.id, read!.version, {
        ...read!.stream.state,
        status: 'failing',
        cursor,
        failed_attempts: 4,
        failing_since: new Date().toISOString(),
        last_error: 'HTTP 503 from destination',
      });

      const paused = await call('post', `/${stream.id}/pause`).expect(200);
      expect(paused.body.state).toMatchObject({
        status: 'paused',
        paused_reason: 'paused by an installation admin',
        cursor,
      });
      const resumed = await call('post', `/${stream.id}/resume`).expect(200);
      expect(resumed.body.state).toMatchObject({
        status: 'active',
        cursor,
        failed_attempts: 0,
        last_error: 'HTTP 503 from destination',
      });
      expect(resumed.body.state).not.toHaveProperty('failing_since');
      expect(resumed.body.state).not.toHaveProperty('paused_reason');

      const from = new Date(Date.now() - 2 * DAY).toISOString();
      const replayed = await call('post', `/${stream.id}/replay`, { from }).expect(200);
      expect(replayed.body.state).toMatchObject({ status: 'active', cursor: null, start_at: from });
      expect((await raw(stream.id)).state).toMatchObject({ cursor: null, start_at: from });
    });

    it('refuses a replay beyond retention, in the future or without from', async () => {
      // acme is on the default class, 30d; a 7d company's bound is 7 days.
      const stream = await create({ company_id: 'acme' });
      await request(app.getHttpServer())
        .put('/v1/admin/companies/shortlived')
        .set('authorization', `Bearer ${admin}`)
        .send({ retention_class: '7d' })
        .expect(200);
      const short = await create({ company_id: 'shortlived' });
      const before = await raw(stream.id);
      for (const [id, body, path] of [
        [stream.id, { from: new Date(Date.now() - 31 * DAY).toISOString() }, 'from'],
        [short.id, { from: new Date(Date.now() - 8 * DAY).toISOString() }, 'from'],
        [stream.id, { from: new Date(Date.now() + 60_000).toISOString() }, 'from'],
        [stream.id, { from: '2026-02-30T00:00:00Z' }, 'from'],
        [stream.id, {}, 'from'],
        [stream.id, { from: new Date().toISOString(), to: 'x' }, 'to'],
      ] as const) {
        const response = await call('post', `/${id}/replay`, body);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
      }
      expect(await raw(stream.id)).toEqual(before);
      await call('post', `/${short.id}/replay`, {
        from: new Date(Date.now() - 6 * DAY).toISOString(),
      }).expect(200);
      await call('post', '/st_missing/replay', { from: new Date().toISOString() }).expect(404);
    });
  });

  describe('POST /{id}/test', () => {
    let connection: Redis;
    let worker: Worker<StreamTestJobData, StreamTestJobResult> | undefined;

    beforeAll(() => {
      connection = new Redis(setup.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
    });

    afterAll(async () => {
      await worker?.close();
      connection.disconnect();
    });

    it('answers 504 when no maintenance worker takes the job', async () => {
      const stream = await create();
      const started = Date.now();
      const response = await call('post', `/${stream.id}/test`);
      expect(response.status).toBe(504);
      expect(response.body).toMatchObject({ type: expect.stringContaining('stream-test-timeout') });
      expect(response.body.detail).toContain('maintenance worker');
      expect(Date.now() - started).toBeGreaterThanOrEqual(14_000);
    }, 40_000);

    it("round-trips through the queue and answers the destination's result", async () => {
      // A stand-in for the maintenance worker's processor, for this API test only: it answers
      // jobs of the real queue with a canned DeliveryResult.
      const seen: StreamTestJobData[] = [];
      worker = new Worker<StreamTestJobData, StreamTestJobResult>(
        STREAM_TEST_QUEUE,
        (job) => {
          expect(job.name).toBe(STREAM_TEST_JOB);
          seen.push(job.data);
          return Promise.resolve({ kind: 'delivered', status: 200 });
        },
        { connection, prefix: setup.indexPrefix },
      );
      const stream = await create();
      const response = await call('post', `/${stream.id}/test`).expect(200);
      expect(response.body).toEqual({
        result: { kind: 'delivered', status: 200 },
        destination_type: 'splunk_hec',
        duration_ms: expect.any(Number),
      });
      expect(seen).toEqual([expect.objectContaining({ stream_id: stream.id })]);
      await call('post', '/st_missing/test').expect(404);
      expect(seen).toHaveLength(1);
    }, 30_000);
  });
});
