import type { INestApplication } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
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
import { RedisWriteFence } from '@auditlog/tail';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { QueryModule } from '../../apps/query/src/query.module';

const SETTLE_SECONDS = 2;
const DAY_MS = 86_400_000;

interface TailEvent {
  id: string;
  company_id: string;
  action: string;
  timestamp: string;
  ingest?: { indexed_at?: string };
}

interface TailPage {
  data: TailEvent[];
  after: string;
  watermark: string;
}

const key = (event: { company_id: string; id: string }) => `${event.company_id}/${event.id}`;

describe('GET /v1/events/tail', () => {
  const siemAll = newSecret();
  const siemAcme = newSecret();
  const setup = testEnvironment('tail', undefined, {
    TAIL_SETTLE_SECONDS: String(SETTLE_SECONDS),
    TAIL_MAX_PAGE_SIZE: '500',
    SIEM_API_KEYS: [
      keyLine({ id: 'siem-all', secret: siemAll, companies: '*' }),
      keyLine({ id: 'siem-acme', secret: siemAcme, companies: ['acme'] }),
    ].join(','),
  });
  const ingestKey = setup.keys.any.secret;
  const admin = adminToken(setup.jwtSecret);
  const acmeOwner = ownerToken(setup.jwtSecret, 'acme');
  let client: Client;
  let ingest: INestApplication;
  let query: INestApplication;

  const tail = (bearer: string, params: Record<string, string> = {}) =>
    request(query.getHttpServer())
      .get('/v1/events/tail')
      .query(params)
      .set('authorization', `Bearer ${bearer}`);

  /** The events acknowledged (none when `acceptUnavailable` and the API answered 503). */
  async function post(
    events: Array<Record<string, unknown>>,
    { acceptUnavailable = false } = {},
  ): Promise<TailEvent[]> {
    const response = await request(ingest.getHttpServer())
      .post('/v1/events/batch')
      .set('authorization', `Bearer ${ingestKey}`)
      .send(events);
    if (acceptUnavailable && response.status === 503) return [];
    expect(response.status).toBe(200);
    const results = response.body.results as Array<{ id: string; status: string }>;
    return results.map((result, index) => ({
      ...(events[index] as unknown as TailEvent),
      id: result.id,
    }));
  }

  /** Reads until the watermark passes `until` and a page comes back empty. */
  async function follow(
    bearer: string,
    until: number,
    params: Record<string, string> = {},
    limit = '200',
  ): Promise<TailEvent[]> {
    const seen: TailEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const response = await tail(bearer, { ...params, limit, ...(after ? { after } : {}) });
      expect(response.status).toBe(200);
      const page = response.body as TailPage;
      expect(typeof page.after).toBe('string');
      seen.push(...page.data);
      after = page.after;
      if (page.data.length === 0 && Date.parse(page.watermark) > until) return seen;
      if (page.data.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    client = testClient();
    ingest = await startApp('ingest', IngestModule, setup.env);
    query = await startApp('query', QueryModule, setup.env);
  });

  afterAll(async () => {
    await query?.close();
    await ingest?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client?.close();
  });

  it('hands every acknowledged event of concurrent producers to a follower, once each, in order', async () => {
    const acknowledged: TailEvent[] = [];
    const seen: TailEvent[] = [];
    let stop = false;
    const follower = (async () => {
      let after: string | undefined;
      const deadline = Date.now() + 40_000;
      while ((!stop || seen.length < acknowledged.length) && Date.now() < deadline) {
        const response = await tail(admin, { limit: '500', ...(after ? { after } : {}) });
        // A poller retries an overloaded moment with the same position.
        if (response.status === 503) continue;
        expect(response.status).toBe(200);
        const page = response.body as TailPage;
        seen.push(...page.data);
        after = page.after;
        if (page.data.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = Date.now();
    // Ten producers, each event with a timestamp up to 8 days old: they land in several
    // daily indices, stored out of timestamp order, while the follower reads.
    const producers = Array.from({ length: 10 }, async (_, producer) => {
      let round = 0;
      while (Date.now() - started < 6000) {
        const events = Array.from({ length: 25 }, (_, index) => ({
          company_id: producer % 3 === 0 ? 'globex' : 'acme',
          action: 'flow.updated',
          actor: { id: `producer-${producer}` },
          timestamp: new Date(Date.now() - ((round * 25 + index) % 8) * DAY_MS).toISOString(),
        }));
        acknowledged.push(...(await post(events, { acceptUnavailable: true })));
        round += 1;
      }
    });
    await Promise.all(producers);
    stop = true;
    await follower;

    expect(acknowledged.length).toBeGreaterThan(100);
    const seenKeys = new Set(seen.map(key));
    expect(acknowledged.filter((event) => !seenKeys.has(key(event)))).toEqual([]);
    // Following the returned positions never hands out an event twice.
    expect(seen.length).toBe(seenKeys.size);
    const stamps = seen.map((event) => Date.parse(event.ingest?.indexed_at ?? ''));
    expect(stamps.every((stamp, index) => index === 0 || stamp >= (stamps[index - 1] ?? 0))).toBe(
      true,
    );
  }, 60_000);

  it('returns an after on an empty page, and nothing newer than the settle delay', async () => {
    const first = await tail(acmeOwner, { since: new Date(Date.now() + DAY_MS).toISOString() });
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([]);
    expect(typeof first.body.after).toBe('string');
    expect(Date.parse(first.body.watermark)).toBeLessThanOrEqual(
      Date.now() - SETTLE_SECONDS * 1000,
    );

    const [fresh] = await post([
      { company_id: 'acme', action: 'settle.probe', actor: { id: 'a' } },
    ]);
    const immediately = await tail(acmeOwner, { action: 'settle.probe' });
    expect(immediately.body.data).toEqual([]);
    const later = await follow(acmeOwner, Date.now(), { action: 'settle.probe' });
    expect(later.map((event) => event.id)).toEqual([fresh?.id]);
  });

  it('holds the watermark before a write still in flight, in any process', async () => {
    const fence = ingest.get(RedisWriteFence);
    const write = await fence.open();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000 + 500));
    const held = (await tail(admin)).body as TailPage;
    expect(Date.parse(held.watermark)).toBeLessThanOrEqual(write.stamp);
    write.close();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000 + 200));
    const released = (await tail(admin)).body as TailPage;
    expect(Date.parse(released.watermark)).toBeGreaterThan(write.stamp);
  });

  it('reads only the companies the caller may read, with the filters applied', async () => {
    const start = new Date().toISOString();
    await post([
      { company_id: 'acme', action: 'scope.a', actor: { id: 'a' } },
      { company_id: 'globex', action: 'scope.g', actor: { id: 'g' } },
      { company_id: 'initech', action: 'scope.i', actor: { id: 'i' } },
      { company_id: 'acme', action: 'other.a', actor: { id: 'a' } },
    ]);
    const until = Date.now();
    const actions = async (bearer: string, params: Record<string, string> = {}) =>
      (await follow(bearer, until, { since: start, ...params }))
        .map((event) => event.action)
        .sort();

    expect(await actions(acmeOwner)).toEqual(['other.a', 'scope.a']);
    expect(await actions(acmeOwner, { action: 'scope.*' })).toEqual(['scope.a']);
    expect(await actions(admin)).toEqual(['other.a', 'scope.a', 'scope.g', 'scope.i']);
    expect(await actions(admin, { company_id: 'globex' })).toEqual(['scope.g']);
    expect(await actions(siemAll, { action: 'scope.*' })).toEqual([
      'scope.a',
      'scope.g',
      'scope.i',
    ]);
    expect(await actions(siemAcme)).toEqual(['other.a', 'scope.a']);

    const ownerView = await follow(acmeOwner, until, { since: start });
    expect(ownerView.every((event) => event.ingest === undefined)).toBe(true);
  });

  it('refuses what a tail reader may not do', async () => {
    const globexOwner = ownerToken(setup.jwtSecret, 'globex');
    expect((await tail(globexOwner, { company_id: 'acme' })).status).toBe(403);
    expect((await tail(siemAcme, { company_id: 'globex' })).status).toBe(403);
    // A SIEM key reads the tail and nothing else.
    const list = await request(query.getHttpServer())
      .get('/v1/events')
      .set('authorization', `Bearer ${siemAll}`);
    expect(list.status).toBe(403);
    expect((await tail('not-a-key')).status).toBe(401);

    const tooBig = await tail(admin, { limit: '501' });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors).toEqual([expect.objectContaining({ path: 'limit' })]);
    const sorted = await tail(admin, { sort: 'desc' });
    expect(sorted.status).toBe(400);
    expect(sorted.body.errors).toEqual([expect.objectContaining({ path: 'sort' })]);
    expect((await tail(admin, { since: 'yesterday' })).body.errors).toEqual([
      expect.objectContaining({ path: 'since' }),
    ]);

    const { after } = (await tail(acmeOwner, { action: 'flow.*' })).body as TailPage;
    const otherFilters = await tail(acmeOwner, { action: 'auth.*', after });
    expect(otherFilters.status).toBe(400);
    expect(otherFilters.body.errors).toEqual([expect.objectContaining({ path: 'after' })]);
    const otherReader = await tail(admin, { action: 'flow.*', after });
    expect(otherReader.status).toBe(400);
    const [payload] = after.split('.');
    expect((await tail(acmeOwner, { action: 'flow.*', after: `${payload}.forged` })).status).toBe(
      400,
    );
  });
});
