import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { runCommand } from '../../scripts/services/processes';

const ROOT = path.resolve(__dirname, '../..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  restart?: string;
  volumes?: string[];
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;
const ONE_SHOT = ['certs', 'setup'];
const APPS = ['ingest', 'query', 'export', 'export-worker'];

// Names whose value is a secret: they may only ever hold a ${VAR} reference.
const SECRET_NAME = /PASSWORD|SECRET|API_KEYS$|PRIVATE|TOKEN|REDIS_URL/;

describe('docker-compose.yml', () => {
  it('runs the four processes, the one-shot jobs, OpenSearch and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(
      [...APPS, ...ONE_SHOT, 'opensearch', 'redis', 'dashboards'].sort(),
    );
    expect(APPS.map((name) => services[name].command?.[0])).toEqual(APPS);
  });

  it.each(Object.keys(services).filter((name) => !ONE_SHOT.includes(name)))(
    '%s has a healthcheck',
    (name) => {
      expect(services[name].healthcheck?.test).toBeDefined();
    },
  );

  it.each(ONE_SHOT)('%s runs once and is waited for until it completed', (name) => {
    expect(services[name].restart).toBe('no');
    const waiters = Object.values(services).filter(
      (service) => service.depends_on?.[name]?.condition === 'service_completed_successfully',
    );
    expect(waiters.length).toBeGreaterThan(0);
  });

  it.each(APPS)('%s starts after healthy OpenSearch, Redis and a completed setup', (name) => {
    expect(services[name].depends_on).toEqual({
      opensearch: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      setup: { condition: 'service_completed_successfully' },
    });
    expect(services[name].read_only).toBe(true);
    expect(services[name].cap_drop).toEqual(['ALL']);
    expect(services[name].environment?.OPENSEARCH_URL).toMatch(/^https:/);
  });

  it('commits no secret: every secret-like value is a ${VAR} reference', () => {
    const offenders = Object.entries(services).flatMap(([name, service]) =>
      Object.entries(service.environment ?? {})
        .filter(([key]) => SECRET_NAME.test(key) && !key.endsWith('_FILE'))
        .filter(([, value]) => !/\$\{[A-Z_]+(:[?-][^}]*)?\}/.test(String(value)))
        .map(([key, value]) => `${name}.${key}=${value}`),
    );
    expect(offenders).toEqual([]);
    // The appliance's OpenSearch users carry passwords from .env only.
    expect(services.ingest.environment?.OPENSEARCH_PASSWORD).toBe(
      '${OPENSEARCH_INGEST_PASSWORD:?set OPENSEARCH_INGEST_PASSWORD in .env}',
    );
  });

  it('shares one export volume between the export API and its worker', () => {
    const exportVolume = (name: string) =>
      services[name].volumes?.find((volume) => volume.endsWith(':/var/lib/auditlog/exports'));
    expect(exportVolume('export')).toBe('exports:/var/lib/auditlog/exports');
    expect(exportVolume('export-worker')).toBe('exports:/var/lib/auditlog/exports');
    expect(compose.volumes).toHaveProperty('exports');
    for (const name of ['export', 'export-worker']) {
      expect(services[name].environment).toMatchObject({
        EXPORT_DIR: '/var/lib/auditlog/exports',
        EXPORT_RETENTION: '${EXPORT_RETENTION:-7d}',
        EXPORT_WEBHOOK_SECRET: '${EXPORT_WEBHOOK_SECRET:-}',
      });
    }
  });

  it('keeps the admin certificate key away from the apps', () => {
    for (const name of APPS) {
      expect(services[name].volumes?.join(' ')).not.toContain('certs-private');
    }
  });

  it('offers OpenSearch Dashboards only as an opt-in profile', () => {
    expect(services.dashboards.profiles).toEqual(['dashboards']);
  });
});

describe('.env.example and .gitignore', () => {
  const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');

  it('lists every variable the compose file requires, with no value filled in', () => {
    const required = new Set(
      [
        ...fs
          .readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')
          .matchAll(/\$\{([A-Z_]+):\?/g),
      ].map((match) => match[1]),
    );
    for (const name of required) expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
  });

  it('keeps .env out of git', () => {
    expect(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });
});

describe('deploy/compose/generate-certs.sh', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlog-certs-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (command: string, args: string[]) =>
    runCommand(command, args, { env: { ...process.env, CERTS_DIR: dir }, timeoutMs: 120_000 });

  it('creates a CA, node and admin certificates matching the OpenSearch config, once', async () => {
    const first = await run('bash', [path.join(ROOT, 'deploy/compose/generate-certs.sh')]);
    expect(first.code).toBe(0);
    const priv = (name: string) => path.join(dir, 'private', name);
    const verify = await run('openssl', [
      'verify',
      '-CAfile',
      path.join(dir, 'public', 'ca.pem'),
      priv('node.pem'),
      priv('admin.pem'),
    ]);
    expect(verify.stdout).toContain(`${priv('node.pem')}: OK`);
    expect(verify.stdout).toContain(`${priv('admin.pem')}: OK`);
    // The security plugin reads PKCS#8 keys only.
    expect(fs.readFileSync(priv('node-key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(fs.existsSync(priv('ca-key.pem'))).toBe(false);
    const node = await run('openssl', [
      'x509',
      '-in',
      priv('node.pem'),
      '-noout',
      '-ext',
      'subjectAltName',
    ]);
    expect(node.stdout).toContain('DNS:opensearch');

    const opensearchYml = parse(
      fs.readFileSync(path.join(ROOT, 'deploy/compose/opensearch.yml'), 'utf8'),
    );
    for (const [file, setting] of [
      ['admin.pem', 'plugins.security.authcz.admin_dn'],
      ['node.pem', 'plugins.security.nodes_dn'],
    ]) {
      const subject = await run('openssl', [
        'x509',
        '-in',
        priv(file),
        '-noout',
        '-subject',
        '-nameopt',
        'RFC2253',
      ]);
      expect(opensearchYml[setting]).toEqual([subject.stdout.replace(/^subject=/, '').trim()]);
    }

    const before = fs.readFileSync(priv('node.pem'), 'utf8');
    const second = await run('bash', [path.join(ROOT, 'deploy/compose/generate-certs.sh')]);
    expect(second.stdout).toContain('certificates exist');
    expect(fs.readFileSync(priv('node.pem'), 'utf8')).toBe(before);
  }, 150_000);
});
