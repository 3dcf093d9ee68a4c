import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Client } from '@opensearch-project/opensearch';
import { dropPrefix, mintToken, startApp, testClient, testEnvironment } from '@auditlog/testing';
import { QueryModule } from '../../apps/query/src/query.module';

/**
 * The `audit_log.viewed` record is written beside the response, not before it (ADR 0156):
 * a graceful stop right after a read must still store it.
 */
describe('query API: view records survive a graceful stop', () => {
  const setup = testEnvironment('query-audit-shutdown');
  let client: Client;
  let app: INestApplication | undefined;

  beforeAll(() => {
    client = testClient();
  });

  afterAll(async () => {
    await app?.close();
    await dropPrefix(client, setup.indexPrefix);
    await client.close();
  });

  async function viewedBy(subjects: readonly string[]): Promise<string[]> {
    await client.indices.refresh({
      index: `${setup.indexPrefix}-events-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    const { body } = await client.search({
      index: `${setup.indexPrefix}-events-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
      body: {
        size: 100,
        query: {
          bool: {
            filter: [
              { term: { company_id: 'acme' } },
              { term: { action: 'audit_log.viewed' } },
              { terms: { 'actor.id': subjects } },
            ],
          },
        },
      },
    });
    const hits = body.hits.hits as Array<{ _source: { actor: { id: string } } }>;
    return hits.map((hit) => hit._source.actor.id).sort();
  }

  it('stores the view records of reads answered just before the app closes', async () => {
    const started = await startApp('query', QueryModule, setup.env);
    app = started;
    const subjects = ['reader-1', 'reader-2', 'reader-3'];
    // The first writes of the day into a fresh prefix create its index: slow enough that
    // the records are still under way when the stop begins.
    await Promise.all(
      subjects.map((subject) =>
        request(started.getHttpServer())
          .get('/v1/events')
          .query({ actor_id: subject })
          .set(
            'Authorization',
            `Bearer ${mintToken(setup.jwtSecret, { sub: subject, company_id: 'acme', roles: ['company_owner'] })}`,
          )
          .expect(200),
      ),
    );
    await started.close();
    app = undefined;
    expect(await viewedBy(subjects)).toEqual(subjects);
  }, 60_000);
});
