import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import { dropPrefix, ownerToken, startApp, testClient, testEnvironment } from '@auditlog/testing';
import { QueryModule } from '../../apps/query/src/query.module';
import { seedEvents, type SeedEvent } from './seed';

const COUNT = 25_000;
const HOUR = 3_600_000;

describe('query API: deep pagination past 10,000 results', () => {
  const setup = testEnvironment('query-paging');
  let app: INestApplication;
  let client: Client;
  const start = Date.now() - 72 * HOUR;
  const window = {
    from: new Date(start).toISOString(),
    to: new Date(start + 48 * HOUR).toISOString(),
    action: 'job.*',
  };

  beforeAll(async () => {
    client = testClient();
    app = await startApp('query', QueryModule, setup.env);
    const events: SeedEvent[] = [];
    for (let index = 0; index < COUNT; index++) {
      // Groups of five share a millisecond so the id tie-breaker decides their order.
      events.push({
        id: `e-${String(index).padStart(6, '0')}`,
        company_id: 'acme',
        timestamp: new Date(start + Math.floor(index / 5) * 6_000).toISOString(),
        action: index % 2 === 0 ? 'job.started' : 'job.finished',
      });
    }
    // Another company's events in the same window and indices must never show up.
    for (let index = 0; index < 500; index++) {
      events.push({
        id: `e-${String(index).padStart(6, '0')}`,
        company_id: 'globex',
        timestamp: new Date(start + index * 1000).toISOString(),
        action: 'job.started',
      });
    }
    await seedEvents(client, setup.indexPrefix, events);
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  it.each([['asc'], ['desc']])(
    'returns each of 25,000 events exactly once, in %s order',
    async (sort) => {
      const token = ownerToken(setup.jwtSecret, 'acme');
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await request(app.getHttpServer())
          .get('/v1/events')
          .query({ ...window, sort, limit: 1000, ...(cursor ? { cursor } : {}) })
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
        for (const event of response.body.data as Array<{ id: string; company_id: string }>) {
          expect(event.company_id).toBe('acme');
          seen.push(event.id);
        }
        if (pages === 0) expect(response.body.total).toEqual({ value: 10_000, relation: 'gte' });
        cursor = response.body.next_cursor as string | null;
        pages++;
      } while (cursor);

      expect(pages).toBe(25);
      expect(seen).toHaveLength(COUNT);
      expect(new Set(seen).size).toBe(COUNT);
      const expected = [...seen].sort();
      expect(seen).toEqual(sort === 'asc' ? expected : expected.reverse());
    },
    300_000,
  );
});
