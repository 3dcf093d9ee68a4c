import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { dropPrefix, startApp, testClient, testEnvironment } from '@auditlog/testing';
import { ExportModule } from '../../apps/export/src/export.module';
import { QueryModule } from '../../apps/query/src/query.module';

/**
 * How the query app serves a console build (ADR 0080): the files here stand in for
 * `vite build` output so that caching and headers are checked without a browser; the
 * browser suites in test/console drive the real build.
 */
describe('console serving and CORS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-'));
  const apps: INestApplication[] = [];
  let query: INestApplication;
  let exportApp: INestApplication;
  let indexPrefix = '';

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Audit log</title>');
    writeFileSync(join(dir, 'assets', 'index-Ab12Cd.js'), 'console.log(1);');
    writeFileSync(join(dir, 'embed.js'), 'customElements.define;');
    writeFileSync(join(dir, '.secret'), 'no');
    const setup = testEnvironment('console-serving', undefined, {
      CONSOLE_DIR: dir,
      CONSOLE_EXPORT_URL: 'http://127.0.0.1:3903',
      CONSOLE_FRAME_ANCESTORS: 'https://platform.example.com',
      CORS_ALLOWED_ORIGINS: 'http://127.0.0.1:3902',
    });
    indexPrefix = setup.indexPrefix;
    query = await startApp('query', QueryModule, setup.env);
    exportApp = await startApp('export', ExportModule, setup.env);
    apps.push(query, exportApp);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    rmSync(dir, { recursive: true, force: true });
    const client = testClient();
    await dropPrefix(client, indexPrefix);
    await client.close();
  });

  it('leads from / and /console to /console/, keeping the query string', async () => {
    const root = await request(query.getHttpServer()).get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/console/');
    const bare = await request(query.getHttpServer()).get('/console?action=flow.created');
    expect(bare.status).toBe(302);
    expect(bare.headers.location).toBe('/console/?action=flow.created');
  });

  it.each(['/console/', '/console/?tab=exports&action=flow.*', '/console/events/deep'])(
    '%s answers index.html, never cached, under a strict CSP',
    async (path) => {
      const response = await request(query.getHttpServer()).get(path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.text).toContain('<title>Audit log</title>');
      expect(response.headers['cache-control']).toBe('no-store');
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("connect-src 'self' http://127.0.0.1:3903;");
      expect(csp).toContain('frame-ancestors https://platform.example.com;');
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('caches hashed assets for a year and other files with revalidation', async () => {
    const asset = await request(query.getHttpServer()).get('/console/assets/index-Ab12Cd.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const embed = await request(query.getHttpServer()).get('/console/embed.js');
    expect(embed.status).toBe(200);
    expect(embed.headers['cache-control']).toBe('no-cache');
  });

  it.each([
    '/console/assets/missing-123.js',
    '/console/.secret',
    '/console/assets/..%2f..%2fpackage.json',
    '/console/..%2f.secret',
  ])('%s is a problem+json 404', async (path) => {
    const response = await request(query.getHttpServer()).get(path);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('tells the console where the export API is', async () => {
    const response = await request(query.getHttpServer()).get('/console/config.json');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({ exportUrl: 'http://127.0.0.1:3903' });
  });

  it('answers CORS only for the configured origins', async () => {
    const allowed = await request(exportApp.getHttpServer())
      .options('/v1/exports')
      .set('Origin', 'http://127.0.0.1:3902')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3902');
    expect(allowed.headers['access-control-allow-headers']).toContain('authorization');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();

    const other = await request(exportApp.getHttpServer())
      .get('/v1/exports')
      .set('Origin', 'https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.status).toBe(401);

    const exposed = await request(exportApp.getHttpServer())
      .get('/v1/exports')
      .set('Origin', 'http://127.0.0.1:3902');
    expect(exposed.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3902');
    expect(exposed.headers['access-control-expose-headers']).toContain('x-request-id');
  });
});
