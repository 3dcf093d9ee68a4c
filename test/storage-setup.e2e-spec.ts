import { Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { type AppConfig, loadConfig } from '@auditlog/config';
import { EXPORT_MAPPINGS, EXPORTS_INDEX } from '@auditlog/export-jobs';
import {
  EVENT_MAPPINGS,
  IndexNames,
  type OpenSearchOptions,
  OpenSearchSetupService,
  type SetupReport,
} from '@auditlog/opensearch';
import { IsmService, RetentionSetupService, type RetentionSetupReport } from '@auditlog/retention';
import {
  dropPrefix,
  storedEventDocument,
  testClient,
  testEnvironment,
  waitFor,
  entryOf,
  firstOf,
} from '@auditlog/testing';
import { IngestModule } from '../apps/ingest/src/ingest.module';
import { QueryModule } from '../apps/query/src/query.module';
import { SetupModule } from '../apps/setup/src/setup.module';

type Report = SetupReport & RetentionSetupReport;

/** What a process's bootstrap runs: the OpenSearch core setup, then the ISM policies. */
async function runSetup(
  client: Client,
  config: AppConfig,
  names: IndexNames,
  options: OpenSearchOptions,
): Promise<Report> {
  return {
    ...(await new OpenSearchSetupService(client, config, names, options).run()),
    ...(await new RetentionSetupService(new IsmService(client, names, config)).run()),
  };
}

const ismExpected = process.env.AUDITLOG_ISM_AVAILABLE === 'true';

/** Every leaf path of a mapping, aliases included: what counts against the field limit. */
function fieldPaths(
  properties: Record<string, { properties?: Record<string, unknown> }>,
  parent = '',
): string[] {
  return Object.entries(properties).flatMap(([name, field]) =>
    field.properties
      ? fieldPaths(
          field.properties as Record<string, { properties?: Record<string, unknown> }>,
          `${parent}${name}.`,
        )
      : [`${parent}${name}`],
  );
}

describe('storage setup and mappings', () => {
  const setup = testEnvironment('storage-setup');
  const config = loadConfig('setup', setup.env);
  const names = new IndexNames(setup.indexPrefix);
  const clients: Client[] = [];
  let client: Client;
  let reports: Report[];

  const newSetup = (): Promise<Report> => {
    const own = testClient();
    clients.push(own);
    return runSetup(own, config, names, SetupModule.opensearch);
  };

  beforeAll(async () => {
    // Services are built outside a Nest app here; keep their default console logger quiet.
    if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
    client = testClient();
    reports = await Promise.all([newSetup(), newSetup(), newSetup()]);
  });

  afterAll(async () => {
    await dropPrefix(client, setup.indexPrefix);
    if (ismExpected) {
      for (const retention of config.retention.classes) {
        await client.transport
          .request({
            method: 'DELETE',
            path: `/_plugins/_ism/policies/${names.retentionPolicy(retention.name)}`,
          })
          .catch(() => undefined);
      }
    }
    await Promise.all([client, ...clients].map((each) => each.close()));
  });

  it('leaves one correct state after three concurrent setups', async () => {
    expect(new Set(reports.map((report) => JSON.stringify(report))).size).toBe(1);
    const { body: templates } = await client.indices.getIndexTemplate({
      name: names.eventsTemplate,
    });
    expect(templates.index_templates).toHaveLength(1);
    const template = firstOf(templates.index_templates, 'index template').index_template;
    expect(template.index_patterns).toEqual([`${setup.indexPrefix}-events-*`]);
    expect(template.template?.aliases).toHaveProperty(names.readAlias);
    expect(template.template?.settings?.index).toMatchObject({
      number_of_shards: '1',
      number_of_replicas: '0',
    });
    expect(template.template?.mappings?.dynamic).toBe('strict');

    const { body: aliases } = await client.indices.getAlias({ name: names.companiesAlias });
    expect(Object.keys(aliases)).toEqual([names.companiesIndex]);
    const { body: indices } = await client.cat.indices({
      index: `${setup.indexPrefix}-*`,
      format: 'json',
    });
    expect((indices as unknown as Array<{ index: string }>).map((row) => row.index).sort()).toEqual(
      [names.companiesIndex, names.exportsIndex, names.catalogIndex, names.streamsIndex].sort(),
    );
    const { body: streamAliases } = await client.indices.getAlias({ name: names.streamsAlias });
    expect(Object.keys(streamAliases)).toEqual([names.streamsIndex]);
    const { body: streamMapping } = await client.indices.getMapping({ index: names.streamsIndex });
    expect(streamMapping[names.streamsIndex]?.mappings).toMatchObject({
      dynamic: 'strict',
      properties: { secrets: { type: 'object', enabled: false }, state: expect.any(Object) },
    });
    const { body: exportAliases } = await client.indices.getAlias({ name: names.exportsAlias });
    expect(Object.keys(exportAliases)).toEqual([names.exportsIndex]);
    const { body: catalogAliases } = await client.indices.getAlias({ name: names.catalogAlias });
    expect(Object.keys(catalogAliases)).toEqual([names.catalogIndex]);
    const { body: catalogMapping } = await client.indices.getMapping({ index: names.catalogIndex });
    expect(entryOf(catalogMapping, names.catalogIndex, 'mapping of').mappings).toMatchObject({
      dynamic: 'strict',
      properties: { action: { type: 'keyword' }, updated_at: { type: 'date' } },
    });
  });

  it('adds fields introduced since an existing history index was created', async () => {
    const oldPrefix = `${setup.indexPrefix}-old`;
    const oldNames = new IndexNames(oldPrefix);
    const { include_integrity, digests_file, manifest_file, ...older } = EXPORT_MAPPINGS.properties;
    expect([include_integrity, digests_file, manifest_file].every(Boolean)).toBe(true);
    await client.indices.create({
      index: oldNames.exportsIndex,
      body: { mappings: { dynamic: 'strict', properties: older } },
    });
    const own = testClient();
    clients.push(own);
    const exportConfig = loadConfig('export', { ...setup.env, OPENSEARCH_INDEX_PREFIX: oldPrefix });
    await new OpenSearchSetupService(own, exportConfig, oldNames, {}).ensureIndex(
      EXPORTS_INDEX(oldNames),
    );
    const { body } = await client.indices.getMapping({ index: oldNames.exportsIndex });
    const properties = entryOf(body, oldNames.exportsIndex, 'mapping of').mappings
      .properties as Record<string, unknown>;
    expect(Object.keys(properties).sort()).toEqual(Object.keys(EXPORT_MAPPINGS.properties).sort());
    const { body: aliases } = await client.indices.getAlias({ name: oldNames.exportsAlias });
    expect(Object.keys(aliases)).toEqual([oldNames.exportsIndex]);
  });

  it('leaves the settings index to the processes that write it', async () => {
    const readerPrefix = `${setup.indexPrefix}-reader`;
    const ingestConfig = loadConfig('ingest', {
      ...setup.env,
      OPENSEARCH_INDEX_PREFIX: readerPrefix,
    });
    const readerNames = new IndexNames(readerPrefix);
    const own = testClient();
    clients.push(own);
    const report = await runSetup(own, ingestConfig, readerNames, IngestModule.opensearch);
    expect(report.indices).not.toContain(readerNames.companiesIndex);
    const { body: exists } = await client.indices.exists({ index: readerNames.companiesIndex });
    expect(exists).toBe(false);
    // Ingest writes the action catalog, so it creates that index; query only reads it.
    expect(report.indices).toContain(readerNames.catalogIndex);
    const queryPrefix = `${setup.indexPrefix}-catalog-reader`;
    const queryNames = new IndexNames(queryPrefix);
    const queryConfig = loadConfig('query', { ...setup.env, OPENSEARCH_INDEX_PREFIX: queryPrefix });
    const queryReport = await runSetup(own, queryConfig, queryNames, QueryModule.opensearch);
    expect(queryReport.indices).not.toContain(queryNames.catalogIndex);
    const { body: catalogExists } = await client.indices.exists({ index: queryNames.catalogIndex });
    expect(catalogExists).toBe(false);
    const { body: templates } = await client.indices.getIndexTemplate({
      name: readerNames.eventsTemplate,
    });
    expect(templates.index_templates).toHaveLength(1);
  });

  if (ismExpected) {
    it('installs one ISM policy per class and attaches it to new indices', async () => {
      expect(reports[0]).toMatchObject({ ism: true });
      for (const retention of config.retention.classes) {
        const { body } = await client.transport.request({
          method: 'GET',
          path: `/_plugins/_ism/policies/${names.retentionPolicy(retention.name)}`,
        });
        expect((body as { policy: { ism_template: unknown[] } }).policy.ism_template).toEqual([
          expect.objectContaining({ index_patterns: [names.classPattern(retention.name)] }),
        ]);
      }
      const index = names.eventsIndex('7d', new Date());
      await client.indices.create({ index });
      const explained = await waitFor(
        async () => {
          const { body } = await client.transport.request({
            method: 'GET',
            path: `/_plugins/_ism/explain/${index}`,
          });
          const entry = (body as Record<string, { policy_id?: string }>)[index];
          return entry?.policy_id ? entry : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(explained.policy_id).toBe(names.retentionPolicy('7d'));
    });
  } else {
    it('detects the ISM plugin as absent and installs no policies (the sweeper enforces retention)', async () => {
      expect(reports[0]).toMatchObject({ ism: false, policies: [] });
      const { body } = await client.cat.plugins({ format: 'json' });
      const components = (body as unknown as Array<{ component: string }>).map(
        (plugin) => plugin.component,
      );
      expect(components).not.toContain('opensearch-index-management');
    });
  }

  it('stores details and changes without growing the mapping (10,000 distinct keys)', async () => {
    const index = names.eventsIndex('7d', new Date());
    await client.index({ index, body: storedEventDocument('acme', new Date()), refresh: true });
    const mappingOf = async (): Promise<string[]> => {
      const { body } = await client.indices.getMapping({ index });
      return fieldPaths(entryOf(body, index, 'mapping of').mappings.properties as never).sort();
    };
    const before = await mappingOf();

    const body = Array.from({ length: 100 }, (_, doc) => {
      const details = Object.fromEntries(
        Array.from({ length: 100 }, (_, key) => [
          `key_${doc}_${key}`,
          { nested: [key, `v${key}`], at: '2026-01-01' },
        ]),
      );
      const changes = [
        { field: `field_${doc}`, before: { [`old_${doc}`]: 1 }, after: [`new_${doc}`, true] },
      ];
      return [
        { create: { _index: index } },
        storedEventDocument('acme', new Date(), { details, changes }),
      ];
    }).flat();
    const { body: bulk } = await client.bulk({ body, refresh: true });
    expect(bulk.errors).toBe(false);

    expect(await mappingOf()).toEqual(before);
    const { body: count } = await client.count({ index });
    expect(count.count).toBe(101);
    const { body: search } = await client.search({
      index,
      body: { query: { exists: { field: 'details' } }, size: 1 },
    });
    expect((search.hits.total as { value: number }).value).toBe(0);
    const { body: one } = await client.search({
      index,
      body: { query: { match_all: {} }, size: 101 },
    });
    const withDetails = one.hits.hits.filter(
      (hit) => (hit._source as { details?: object }).details,
    );
    const [first] = withDetails;
    expect(
      Object.keys((first?._source as { details?: object } | undefined)?.details ?? {}),
    ).toHaveLength(100);
  });

  it('rejects a document with an unmapped field (strict mapping)', async () => {
    const index = names.eventsIndex('30d', new Date());
    const response = await client.index(
      { index, body: storedEventDocument('acme', new Date(), { surprise: 'x' }) },
      { ignore: [400] },
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.body)).toContain('strict_dynamic_mapping_exception');
  });

  it('answers SIEM queries on the ECS aliases and the typed fields', async () => {
    const index = names.eventsIndex('90d', new Date());
    const at = new Date();
    await client.index({
      index,
      refresh: true,
      body: storedEventDocument('globex', at, {
        action: 'auth.login',
        category: 'auth',
        outcome: 'failure',
        reason: 'bad password',
        actor: { id: 'bob', type: 'user', email: 'bob@globex.test', name: 'Bob Builder' },
        source: { ip: '10.1.2.3', user_agent: 'curl/8.0', tool: 'api' },
        context: { task_id: 't-42' },
        description: 'Bob failed to sign in',
      }),
    });
    const hits = async (query: Record<string, unknown>): Promise<number> => {
      const { body } = await client.search({ index, body: { query } });
      return (body.hits.total as { value: number }).value;
    };
    const filters: Array<Record<string, unknown>> = [
      { term: { 'event.action': 'auth.login' } },
      { term: { 'event.outcome': 'failure' } },
      { term: { 'event.category': 'auth' } },
      { term: { 'user.id': 'bob' } },
      { term: { 'user.email': 'bob@globex.test' } },
      { term: { 'organization.id': 'globex' } },
      { term: { 'source.ip': '10.0.0.0/8' } },
      { term: { 'user_agent.original': 'curl/8.0' } },
      { match: { message: 'failed' } },
      { match: { 'event.reason': 'password' } },
      { range: { '@timestamp': { gte: new Date(at.getTime() - 1000).toISOString() } } },
      { range: { 'event.created': { lte: new Date(at.getTime() + 1000).toISOString() } } },
      { term: { 'context.task_id': 't-42' } },
    ];
    for (const filter of filters) expect([filter, await hits(filter)]).toEqual([filter, 1]);
    expect(await hits({ term: { 'user.id': 'alice' } })).toBe(0);
  });

  it('keeps the mapping within its field limit with room to spare', () => {
    const paths = fieldPaths(EVENT_MAPPINGS.properties as never);
    expect(paths.length).toBeLessThan(100);
  });
});
