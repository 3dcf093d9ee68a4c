import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@auditlog/config';
import { STREAM_TEST_QUEUE, type StreamTestJobData } from '@auditlog/streams';
import {
  adminToken,
  dropPrefix,
  ownerToken,
  startApp,
  testClient,
  testEnvironment,
  waitFor,
} from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { ExportWorkerModule } from '../../apps/export/src/worker/export-worker.module';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { QueryModule } from '../../apps/query/src/query.module';

/**
 * The committed OpenAPI documents against the running apps (ADR 0030): every route the app
 * registers is documented and the reverse, every documented operation answers a minimal
 * valid request with a documented status whose body validates against the documented
 * schema, and the documented query parameters are exactly those the route accepts (an
 * undocumented one is a 400, each documented one is taken). The unit specs keep the
 * committed files equal to the generated ones.
 */

type AppName = 'ingest' | 'query' | 'export';
type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

interface Call {
  token?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** A raw body with its content type (NDJSON). */
  raw?: { type: string; text: string };
}

const ROOT = path.resolve(__dirname, '../..');
const document = (app: AppName): OpenAPIObject =>
  JSON.parse(
    fs.readFileSync(path.join(ROOT, 'docs/openapi', `${app}.json`), 'utf8'),
  ) as OpenAPIObject;

/**
 * Routes outside the API reference: the console's files (ApiExcludeController), /docs, and
 * the catch-all that answers 404 problem+json for any other path.
 */
const UNDOCUMENTED = [/^GET \/$/, /^GET \/console/, /^(GET|HEAD) \/docs/, / \/\{\*path\}$/];

const now = Date.now();
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
const HOUR = 3_600_000;

/** A valid value for each documented query parameter, by name. */
const SAMPLES: Record<string, string> = {
  company_id: 'acme',
  from: iso(-3 * HOUR),
  to: iso(0),
  action: 'flow.created',
  category: 'flow',
  operation: 'create',
  actor_id: 'alice',
  actor_email: 'alice@example.com',
  actor_type: 'user',
  target_type: 'environment',
  target_id: 'env-1',
  ancestor: 'project:p1',
  outcome: 'success',
  source_tool: 'console',
  source_ip: '10.0.0.0/8',
  q: 'deploy',
  sort: 'asc',
  since: iso(-HOUR),
  limit: '5',
  size: '5',
  field: 'action',
  interval: '1h',
  format: 'ndjson',
  part: 'events',
};

/** OpenAPI 3.0 schemas with `$ref`s inlined, for ajv (which reads `nullable`). */
function inline(schema: unknown, doc: OpenAPIObject, depth = 0): unknown {
  if (depth > 20 || typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map((item) => inline(item, doc, depth + 1));
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) {
    const name = ref.replace('#/components/schemas/', '');
    return inline(doc.components?.schemas?.[name], doc, depth + 1);
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, inline(value, doc, depth + 1)]),
  );
}

const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

function validator(doc: OpenAPIObject, key: string, schema: unknown): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(inline(schema, doc) as object);
    compiled.set(key, validate);
  }
  return validate;
}

/** The routes Express holds for the app, as `METHOD /path/{param}`. */
function registeredRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  return express.router.stack
    .flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods).map(
            (method) =>
              `${method.toUpperCase()} ${layer.route?.path.replace(/:(\w+)/g, '{$1}') ?? ''}`,
          )
        : [],
    )
    .filter((route) => !UNDOCUMENTED.some((pattern) => pattern.test(route)));
}

function documentedRoutes(doc: OpenAPIObject): string[] {
  return Object.entries(doc.paths).flatMap(([route, item]) =>
    Object.keys(item)
      .filter((key) => ['get', 'post', 'put', 'delete', 'patch'].includes(key))
      .map((method) => `${method.toUpperCase()} ${route}`),
  );
}

function send(app: INestApplication, method: Method, route: string, call: Call) {
  const url = route.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(call.params?.[name] ?? ''),
  );
  let req = request(app.getHttpServer())
    [method](url)
    .query(call.query ?? {});
  if (call.token) req = req.set('authorization', `Bearer ${call.token}`);
  if (call.raw) return req.set('content-type', call.raw.type).send(call.raw.text);
  if (call.body !== undefined) return req.send(call.body as object);
  return req;
}

const mediaType = (value: string | undefined) => (value ?? '').split(';')[0]?.trim() ?? '';

describe('OpenAPI documents against the running apps', () => {
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-openapi-'));
  const setup = testEnvironment('openapi', [{ id: 'producer', companies: '*' }], {
    EXPORT_DIR: exportDir,
    EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
    STREAM_SECRETS_KEY: randomBytes(32).toString('base64'),
  });
  const producer = setup.keys.producer?.secret ?? '';
  const owner = ownerToken(setup.jwtSecret, 'acme');
  const admin = adminToken(setup.jwtSecret);
  const apps = {} as Record<AppName, INestApplication>;
  let worker: INestApplicationContext;
  const context: { cursor?: string; after?: string; download?: string; removable?: string } = {};
  // Answers stream tests in place of the maintenance worker's processor (this suite only).
  let streamTests: Worker<StreamTestJobData> | undefined;
  let streamTestsRedis: Redis | undefined;

  const createExport = async (name: string): Promise<string> => {
    const response = await send(apps.export, 'post', '/v1/exports', {
      token: owner,
      body: { name, format: 'ndjson', filters: { from: iso(-3 * HOUR) } },
    }).expect(202);
    return (response.body as { id: string }).id;
  };

  const createStream = async (): Promise<string> => {
    const response = await send(apps.query, 'post', '/v1/admin/streams', {
      token: admin,
      body: {
        name: 'conformance',
        destination: { type: 'splunk_hec', url: 'https://splunk.example.com', token: 't' },
      },
    }).expect(201);
    return (response.body as { id: string }).id;
  };
  const onStream = async (body?: unknown): Promise<Call> => ({
    token: admin,
    params: { id: await createStream() },
    ...(body === undefined ? {} : { body }),
  });

  /** A minimal valid request for every documented operation. */
  const CALLS: Record<AppName, Record<string, () => Promise<Call> | Call>> = {
    ingest: {
      'POST /v1/events': () => ({
        token: producer,
        body: { company_id: 'acme', action: 'flow.updated', actor: { id: 'alice' } },
      }),
      'POST /v1/events/batch': () => ({
        token: producer,
        body: [{ company_id: 'acme', action: 'flow.updated', actor: { id: 'bob' } }],
      }),
      'PUT /v1/catalog/actions/{action}': () => ({
        token: producer,
        params: { action: 'flow.created' },
        body: { label: 'Flow created', template: '{actor.name} created {target.name}' },
      }),
      'GET /v1/schema/event': () => ({}),
      'GET /health/live': () => ({}),
      'GET /health/ready': () => ({}),
      'GET /metrics': () => ({}),
    },
    query: {
      'GET /v1/events': () => ({ token: owner }),
      'GET /v1/events/histogram': () => ({ token: owner }),
      'GET /v1/events/facets': () => ({ token: owner, query: { field: 'action' } }),
      'GET /v1/events/tail': () => ({ token: owner, query: { limit: '10' } }),
      'GET /v1/events/{id}': () => ({ token: owner, params: { id: 'oa-1' } }),
      'GET /v1/admin/companies': () => ({ token: admin }),
      'GET /v1/admin/companies/{company_id}': () => ({
        token: admin,
        params: { company_id: 'acme' },
      }),
      'PUT /v1/admin/companies/{company_id}': () => ({
        token: admin,
        params: { company_id: 'acme' },
        body: { retention_class: '30d' },
      }),
      'GET /v1/admin/storage': () => ({ token: admin }),
      'POST /v1/admin/streams': () => ({
        token: admin,
        body: {
          name: 'webhook',
          destination: {
            type: 'webhook',
            url: 'https://siem.example.com/hook',
            signing_secret: 'a-signing-secret-of-some-length',
          },
        },
      }),
      'GET /v1/admin/streams': () => ({ token: admin }),
      'GET /v1/admin/streams/{id}': () => onStream(),
      'PATCH /v1/admin/streams/{id}': () => onStream({ name: 'renamed' }),
      'DELETE /v1/admin/streams/{id}': () => onStream(),
      'POST /v1/admin/streams/{id}/pause': () => onStream({ reason: 'conformance' }),
      'POST /v1/admin/streams/{id}/resume': () => onStream(),
      'POST /v1/admin/streams/{id}/replay': () => onStream({ from: iso(-HOUR) }),
      'POST /v1/admin/streams/{id}/test': () => onStream(),
      'GET /v1/catalog': () => ({ token: owner }),
      'GET /v1/session': () => ({ token: owner }),
      'POST /v1/viewer-tokens': () => ({
        token: admin,
        body: { company_id: 'acme', subject: 'host-user' },
      }),
      'POST /v1/viewer-sessions': async () => {
        const minted = await send(apps.query, 'post', '/v1/viewer-tokens', {
          token: admin,
          body: { company_id: 'acme', subject: 'host-user' },
        }).expect(201);
        return { body: { token: (minted.body as { token: string }).token } };
      },
      'GET /v1/integrity/public-keys': () => ({}),
      'GET /v1/integrity/verify': () => ({ token: owner }),
      'GET /v1/integrity/digests': () => ({ token: owner }),
      'GET /health/live': () => ({}),
      'GET /health/ready': () => ({}),
      'GET /metrics': () => ({}),
    },
    export: {
      'GET /v1/exports/stream': () => ({ token: owner, query: { format: 'csv' } }),
      'POST /v1/exports': () => ({
        token: owner,
        body: { name: 'conformance', format: 'json', filters: { from: iso(-3 * HOUR) } },
      }),
      'GET /v1/exports': () => ({ token: owner }),
      'GET /v1/exports/{id}': () => ({ token: owner, params: { id: context.download ?? '' } }),
      'GET /v1/exports/{id}/download': () => ({
        token: owner,
        params: { id: context.download ?? '' },
      }),
      'DELETE /v1/exports/{id}': () => ({ token: owner, params: { id: context.removable ?? '' } }),
      'GET /v1/session': () => ({ token: owner }),
      'GET /health/live': () => ({}),
      'GET /health/ready': () => ({}),
      'GET /metrics': () => ({}),
    },
  };

  beforeAll(async () => {
    apps.ingest = await startApp('ingest', IngestModule, setup.env);
    apps.query = await startApp('query', QueryModule, setup.env);
    apps.export = await startApp('export', ExportModule, setup.env);
    worker = await NestFactory.createApplicationContext(
      ExportWorkerModule.forRoot(loadConfig('export-worker', setup.env)),
      { logger: false },
    );
    await worker.init();
    streamTestsRedis = new Redis(setup.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
    streamTests = new Worker<StreamTestJobData>(
      STREAM_TEST_QUEUE,
      () => Promise.resolve({ kind: 'delivered', status: 200 }),
      { connection: streamTestsRedis, prefix: setup.indexPrefix },
    );

    const seed = ['oa-1', 'oa-2', 'oa-3'].map((id, index) => ({
      id,
      timestamp: iso(-HOUR + index * 1000),
      company_id: 'acme',
      action: 'flow.created',
      actor: { id: 'alice', name: 'Alice', email: 'alice@example.com' },
      target: { type: 'environment', id: 'env-1', ancestors: [{ type: 'project', id: 'p1' }] },
      source: { tool: 'console', ip: '10.1.2.3' },
      context: { task_id: 't-1' },
      description: 'deploy',
    }));
    await send(apps.ingest, 'post', '/v1/events/batch', { token: producer, body: seed }).expect(
      200,
    );
    await waitFor(
      async () => {
        const page = await send(apps.query, 'get', '/v1/events', {
          token: owner,
          query: { limit: '1' },
        });
        const body = page.body as { next_cursor?: string; total?: { value: number } };
        return (body.total?.value ?? 0) >= 3 && body.next_cursor ? body.next_cursor : undefined;
      },
      { timeoutMs: 15_000 },
    ).then((cursor) => (context.cursor = cursor));
    const tail = await send(apps.query, 'get', '/v1/events/tail', {
      token: owner,
      query: { limit: '10' },
    }).expect(200);
    context.after = (tail.body as { after: string }).after;

    context.download = await createExport('download');
    context.removable = await createExport('removable');
    await waitFor(
      async () => {
        const response = await send(apps.export, 'get', '/v1/exports/{id}', {
          token: owner,
          params: { id: context.download ?? '' },
        });
        return (response.body as { status?: string }).status === 'completed';
      },
      { timeoutMs: 30_000 },
    );
  }, 90_000);

  afterAll(async () => {
    await streamTests?.close();
    streamTestsRedis?.disconnect();
    await worker?.close();
    for (const app of Object.values(apps)) await app?.close();
    await dropPrefix(testClient(), setup.indexPrefix);
    fs.rmSync(exportDir, { recursive: true, force: true });
  });

  describe.each<AppName>(['ingest', 'query', 'export'])('%s', (name) => {
    const doc = document(name);

    it('documents every route it registers, and registers every documented one', () => {
      expect(documentedRoutes(doc).sort()).toEqual(registeredRoutes(apps[name]).sort());
    });

    it('has a minimal valid request for every documented operation in this suite', () => {
      expect(Object.keys(CALLS[name]).sort()).toEqual(documentedRoutes(doc).sort());
    });

    const operations = documentedRoutes(doc);
    it.each(operations)('%s answers a documented status with a body of its schema', async (key) => {
      const [method, route] = key.split(' ') as [string, string];
      const operation = doc.paths[route]?.[method.toLowerCase() as Method];
      const call = await CALLS[name][key]?.();
      expect(call).toBeDefined();
      const response = await send(apps[name], method.toLowerCase() as Method, route, call ?? {});
      expect(response.status).toBeLessThan(300);
      const documented = operation?.responses[String(response.status)];
      expect({ key, status: response.status, documented: documented !== undefined }).toEqual({
        key,
        status: response.status,
        documented: true,
      });
      const content = documented && 'content' in documented ? (documented.content ?? {}) : {};
      const type = mediaType(response.headers['content-type']);
      const entry = Object.entries(content).find(([candidate]) => mediaType(candidate) === type);
      if (Object.keys(content).length === 0) return;
      expect({ key, type, documentedTypes: Object.keys(content).map(mediaType) }).toEqual({
        key,
        type,
        documentedTypes: expect.arrayContaining([type]),
      });
      const schema = entry?.[1].schema;
      if (!schema || !['application/json', 'application/problem+json'].includes(type)) return;
      const body: unknown = Buffer.isBuffer(response.body)
        ? JSON.parse(response.body.toString('utf8'))
        : response.body;
      const validate = validator(doc, `${name} ${key} ${response.status} ${type}`, schema);
      const valid = validate(body);
      expect({ key, errors: valid ? null : validate.errors }).toEqual({ key, errors: null });
    });

    it.each(operations)('%s refuses an undocumented query parameter', async (key) => {
      const [method, route] = key.split(' ') as [string, string];
      const call = await CALLS[name][key]?.();
      const response = await send(apps[name], method.toLowerCase() as Method, route, {
        ...call,
        query: { ...call?.query, zz_undocumented: '1' },
      });
      expect(response.status).toBe(400);
      expect(mediaType(response.headers['content-type'])).toBe('application/problem+json');
      const problem = doc.paths[route]?.[method.toLowerCase() as Method]?.responses['400'];
      expect(problem).toBeDefined();
      const errors = (JSON.parse(response.text) as { errors: Array<{ path: string }> }).errors;
      expect(errors.map((error) => error.path)).toContain('zz_undocumented');
    });

    const parameters = operations.flatMap((key) => {
      const [method, route] = key.split(' ') as [string, string];
      const operation = doc.paths[route]?.[method.toLowerCase() as Method];
      return (operation?.parameters ?? [])
        .filter((parameter) => 'in' in parameter && parameter.in === 'query')
        .map((parameter) => [key, 'name' in parameter ? parameter.name : ''] as const);
    });
    if (parameters.length > 0) {
      const pageToken = (param: string) =>
        param === 'cursor'
          ? (context.cursor ?? '')
          : param === 'after'
            ? (context.after ?? '')
            : undefined;
      it.each(parameters)('%s takes its documented query parameter %s', async (key, param) => {
        const [method, route] = key.split(' ') as [string, string];
        const call = await CALLS[name][key]?.();
        const extra: Record<string, string> =
          param === 'context'
            ? { 'context[task_id]': 't-1' }
            : { [param]: pageToken(param) ?? SAMPLES[param] ?? '' };
        expect(Object.values(extra)[0]).not.toBe('');
        const response = await send(apps[name], method.toLowerCase() as Method, route, {
          ...call,
          query: { ...call?.query, ...extra },
        });
        expect({
          key,
          param,
          status: response.status,
          body: response.status < 300 ? null : response.text,
        }).toEqual({
          key,
          param,
          status: expect.any(Number),
          body: null,
        });
      });
    }
  });

  it('serves the interactive reference at /docs from local assets, with its document', async () => {
    for (const name of ['ingest', 'query', 'export'] as const) {
      const page = await request(apps[name].getHttpServer()).get('/docs').redirects(1);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
      // The console's strict CSP belongs to /console/ only (apps/query console-headers.ts).
      expect(page.headers['content-security-policy']).toBeUndefined();
      const json = await request(apps[name].getHttpServer()).get('/docs/openapi.json').expect(200);
      expect(Object.keys((json.body as OpenAPIObject).paths).sort()).toEqual(
        Object.keys(document(name).paths).sort(),
      );
    }
  });

  it('serves no /docs when OPENAPI_DOCS_ENABLED=false', async () => {
    const app = await startApp('ingest', IngestModule, {
      ...setup.env,
      OPENAPI_DOCS_ENABLED: 'false',
    });
    try {
      expect((await request(app.getHttpServer()).get('/docs')).status).toBe(404);
      expect((await request(app.getHttpServer()).get('/docs/openapi.json')).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('takes a batch as NDJSON too, with the documented result', async () => {
    const doc = document('ingest');
    const response = await send(apps.ingest, 'post', '/v1/events/batch', {
      token: producer,
      raw: {
        type: 'application/x-ndjson',
        text: `${JSON.stringify({ company_id: 'acme', action: 'flow.updated', actor: { id: 'n' } })}\n`,
      },
    });
    expect(response.status).toBe(200);
    const schema = doc.paths['/v1/events/batch']?.post?.responses['200'];
    const validate = validator(
      doc,
      'ndjson batch',
      schema && 'content' in schema ? schema.content?.['application/json']?.schema : {},
    );
    expect(validate(response.body)).toBe(true);
  });
});
