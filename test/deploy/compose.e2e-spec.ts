import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@auditlog/config';
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
  ports?: string[];
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;

function service(name: string): ComposeService {
  const found = services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}
const ONE_SHOT = ['certs', 'setup'];
const APPS = ['ingest', 'query', 'export', 'export-worker', 'maintenance'];

// Names whose value is a secret: they may only ever hold a ${VAR} reference.
const SECRET_NAME = /PASSWORD|SECRET|API_KEYS$|PRIVATE|TOKEN|REDIS_URL/;

describe('docker-compose.yml', () => {
  it('runs the five processes, the one-shot jobs, OpenSearch and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(
      [...APPS, ...ONE_SHOT, 'opensearch', 'redis', 'dashboards'].sort(),
    );
    expect(APPS.map((name) => service(name).command?.[0])).toEqual(APPS);
  });

  it.each(Object.keys(services).filter((name) => !ONE_SHOT.includes(name)))(
    '%s has a healthcheck',
    (name) => {
      expect(service(name).healthcheck?.test).toBeDefined();
    },
  );

  it.each(ONE_SHOT)('%s runs once and is waited for until it completed', (name) => {
    expect(service(name).restart).toBe('no');
    const waiters = Object.values(services).filter(
      (service) => service.depends_on?.[name]?.condition === 'service_completed_successfully',
    );
    expect(waiters.length).toBeGreaterThan(0);
  });

  it.each(APPS)('%s starts after healthy OpenSearch, Redis and a completed setup', (name) => {
    expect(service(name).depends_on).toEqual({
      opensearch: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      setup: { condition: 'service_completed_successfully' },
    });
    expect(service(name).read_only).toBe(true);
    expect(service(name).cap_drop).toEqual(['ALL']);
    expect(service(name).environment?.OPENSEARCH_URL).toMatch(/^https:/);
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
    expect(service('ingest').environment?.OPENSEARCH_PASSWORD).toBe(
      '${OPENSEARCH_INGEST_PASSWORD:?set OPENSEARCH_INGEST_PASSWORD in .env}',
    );
  });

  it('runs the maintenance worker with its own account, probed on its internal health port', () => {
    const maintenance = service('maintenance');
    expect(maintenance.environment).toMatchObject({
      OPENSEARCH_USERNAME: 'auditlog-maintenance',
      OPENSEARCH_PASSWORD:
        '${OPENSEARCH_MAINTENANCE_PASSWORD:?set OPENSEARCH_MAINTENANCE_PASSWORD in .env}',
      MAINTENANCE_HEALTH_PORT: '3004',
    });
    expect(maintenance.ports).toBeUndefined();
    expect([maintenance.healthcheck?.test].flat().join(' ')).toContain(
      'http://127.0.0.1:3004/health/ready',
    );
    expect(service('setup').environment).toHaveProperty('OPENSEARCH_MAINTENANCE_USER_PASSWORD');
    // Every other app account is another user.
    for (const name of ['ingest', 'query', 'export', 'export-worker'])
      expect(service(name).environment?.OPENSEARCH_USERNAME).not.toBe('auditlog-maintenance');
  });

  it('shares one export volume between the export API and its worker', () => {
    const exportVolume = (name: string) =>
      service(name).volumes?.find((volume) => volume.endsWith(':/var/lib/auditlog/exports'));
    expect(exportVolume('export')).toBe('exports:/var/lib/auditlog/exports');
    expect(exportVolume('export-worker')).toBe('exports:/var/lib/auditlog/exports');
    // The maintenance worker deletes expired export files.
    expect(exportVolume('maintenance')).toBe('exports:/var/lib/auditlog/exports');
    expect(compose.volumes).toHaveProperty('exports');
    for (const name of ['export', 'export-worker']) {
      expect(service(name).environment).toMatchObject({
        EXPORT_DIR: '/var/lib/auditlog/exports',
        EXPORT_RETENTION: '${EXPORT_RETENTION:-7d}',
        EXPORT_WEBHOOK_SECRET: '${EXPORT_WEBHOOK_SECRET:-}',
        EGRESS_ALLOW_PRIVATE: '${EGRESS_ALLOW_PRIVATE:-false}',
        EGRESS_ALLOWED_CIDRS: '${EGRESS_ALLOWED_CIDRS:-}',
      });
    }
  });

  it('keeps the admin certificate key away from the apps', () => {
    for (const name of APPS) {
      expect(service(name).volumes?.join(' ')).not.toContain('certs-private');
    }
  });

  it('offers OpenSearch Dashboards only as an opt-in profile', () => {
    expect(service('dashboards').profiles).toEqual(['dashboards']);
  });
});

/**
 * Compose's variable interpolation (compose-spec "Interpolation"): `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}` (an empty value stays), `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
 * nested operands and `$$`. Throws where Compose would stop with an error.
 */
function interpolate(text: string, vars: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$$', i)) {
      out += '$';
      i += 2;
    } else if (text.startsWith('${', i)) {
      let depth = 0;
      let end = i;
      for (; end < text.length; end += 1) {
        if (text.startsWith('${', end)) {
          depth += 1;
          end += 1;
        } else if (text[end] === '}' && --depth === 0) break;
      }
      if (end >= text.length) throw new Error(`unclosed \${ in ${text}`);
      const body = text.slice(i + 2, end);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([\s\S]*))?$/.exec(body);
      if (!match) throw new Error(`not a variable expression: \${${body}}`);
      const [, name = '', colon, operator, operand = ''] = match;
      const value = vars[name];
      const present = colon ? value !== undefined && value !== '' : value !== undefined;
      if (!operator) out += value ?? '';
      else if (operator === '-') out += present ? value : interpolate(operand, vars);
      else if (operator === '+') out += present ? interpolate(operand, vars) : '';
      else if (present) out += value;
      else throw new Error(interpolate(operand, vars));
      i = end + 1;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

// What `.env` must hold anyway (the required values), plus the case's own variables.
const REQUIRED: Record<string, string> = {
  REDIS_PASSWORD: 'compose-test-redis-password',
  OPENSEARCH_INGEST_PASSWORD: 'Ingest-Password-1',
  OPENSEARCH_QUERY_PASSWORD: 'Query-Password-1',
  OPENSEARCH_EXPORT_PASSWORD: 'Export-Password-1',
  OPENSEARCH_MAINTENANCE_PASSWORD: 'Maintenance-Password-1',
  INGEST_API_KEYS: 'producer:0f343b0931126a20f133d67c2b018a3b5ecd0e0e0d0e0f0a0b0c0d0e0f0a0b0c:*',
  AUTH_JWT_SECRET: 'compose-test-jwt-secret-0123456789abcdef',
};
/** A service's environment as Compose hands it over with these variables in `.env`. */
const envOf = (name: string, vars: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([key, value]) => [
      key,
      interpolate(String(value), { ...REQUIRED, ...vars }),
    ]),
  );

/** The services whose environment names this variable. */
const holders = (key: string): string[] =>
  Object.keys(services)
    .filter((name) => key in (service(name).environment ?? {}))
    .sort();

describe('docker-compose.yml: the console and viewer tokens', () => {
  /** The host port a service publishes for its container port. */
  const publishedPort = (name: string, containerPort: number, vars: Record<string, string>) => {
    const mappings = (service(name).ports ?? []).map((port) => interpolate(port, vars).split(':'));
    return mappings.find((parts) => parts.at(-1) === String(containerPort))?.at(-2);
  };

  it('interpolates like Compose, nested defaults included', () => {
    expect(interpolate('${A:-${B:-x}}:${C-y}', {})).toBe('x:y');
    expect(interpolate('${A:-${B:-x}}:${C-y}', { A: '', B: 'b', C: '' })).toBe('b:');
    expect(interpolate('$${A}${A:+set}', { A: 'a' })).toBe('${A}set');
    expect(() => interpolate('${A:?set A}', { A: '' })).toThrow('set A');
  });

  it.each<[string, Record<string, string>, string]>([
    ['the defaults', {}, 'localhost'],
    [
      'a public host and other ports',
      { AUDITLOG_PUBLIC_HOST: 'audit.lan', QUERY_PORT: '8002', EXPORT_PORT: '8003' },
      'audit.lan',
    ],
  ])(
    'serves the console from query on its published port, the export API by CORS (%s)',
    (_name, vars, host) => {
      const query = envOf('query', vars);
      const consoleOrigin = `http://${host}:${publishedPort('query', Number(query.PORT), vars)}`;
      const exportPort = publishedPort('export', Number(envOf('export', vars).PORT), vars);
      expect(query.CONSOLE_PUBLIC_URL).toBe(consoleOrigin);
      expect(query.CONSOLE_EXPORT_URL).toBe(`http://${host}:${exportPort}`);
      expect(query.CORS_ALLOWED_ORIGINS).toBe('');
      expect(query.CONSOLE_FRAME_ANCESTORS).toBe('');
      expect(envOf('export', vars).CORS_ALLOWED_ORIGINS?.split(',').filter(Boolean)).toEqual([
        consoleOrigin,
      ]);
    },
  );

  it('keeps an empty CONSOLE_EXPORT_URL (one origin behind a proxy) and adds extra origins', () => {
    const vars = {
      CONSOLE_PUBLIC_URL: 'https://auditlog.example.com',
      CONSOLE_EXPORT_URL: '',
      CORS_ALLOWED_ORIGINS: 'https://platform.example.com',
      CONSOLE_FRAME_ANCESTORS: 'https://platform.example.com',
    };
    expect(envOf('query', vars)).toMatchObject({
      CONSOLE_PUBLIC_URL: 'https://auditlog.example.com',
      CONSOLE_EXPORT_URL: '',
      CORS_ALLOWED_ORIGINS: 'https://platform.example.com',
      CONSOLE_FRAME_ANCESTORS: 'https://platform.example.com',
    });
    expect(envOf('export', vars).CORS_ALLOWED_ORIGINS).toBe(
      'https://auditlog.example.com,https://platform.example.com',
    );
  });

  it('gives the viewer-token keys to query only, the same session secret to query and export', () => {
    expect(holders('VIEWER_TOKEN_KEYS')).toEqual(['query']);
    expect(service('query').environment?.VIEWER_TOKEN_KEYS).toBe('${VIEWER_TOKEN_KEYS:-}');
    expect(holders('VIEWER_SESSION_SECRET')).toEqual(['export', 'query']);
    expect(service('export').environment?.VIEWER_SESSION_SECRET).toBe(
      service('query').environment?.VIEWER_SESSION_SECRET,
    );
    expect(service('query').environment?.VIEWER_SESSION_SECRET).toBe('${VIEWER_SESSION_SECRET:-}');
    for (const key of ['CONSOLE_PUBLIC_URL', 'CONSOLE_EXPORT_URL', 'CONSOLE_FRAME_ANCESTORS']) {
      expect(holders(key)).toEqual(['query']);
    }
  });

  it('passes the config validation of the query and export apps', () => {
    const vars = {
      VIEWER_TOKEN_KEYS:
        'platform:5d5b09f6dcb2d53a5fffc60c4ac0d55fabdf556069d6631545f42aa6e3500f2e:*',
      VIEWER_SESSION_SECRET: 'compose-test-viewer-session-secret-0123',
      CONSOLE_FRAME_ANCESTORS: 'https://platform.example.com',
    };
    const query = loadConfig('query', envOf('query', vars));
    expect(query.console).toMatchObject({
      exportUrl: 'http://localhost:3003',
      frameAncestors: ['https://platform.example.com'],
    });
    expect(query.corsAllowedOrigins).toEqual([]);
    expect(query.viewer).toMatchObject({
      sessionSecret: vars.VIEWER_SESSION_SECRET,
      consolePublicUrl: 'http://localhost:3002',
    });
    expect(query.viewer.tokenKeys.map((key) => key.id)).toEqual(['platform']);
    const exporter = loadConfig('export', envOf('export', vars));
    expect(exporter.corsAllowedOrigins).toEqual(['http://localhost:3002']);
    expect(exporter.viewer.sessionSecret).toBe(vars.VIEWER_SESSION_SECRET);
    // Unset optional values reach the apps as empty strings, which mean "not set".
    expect(() => loadConfig('query', envOf('query'))).not.toThrow();
  });
});

describe('docker-compose.yml: SIEM access and the tail', () => {
  it('gives the SIEM keys and the tail page bound to query only', () => {
    expect(holders('SIEM_API_KEYS')).toEqual(['query']);
    expect(service('query').environment?.SIEM_API_KEYS).toBe('${SIEM_API_KEYS:-}');
    expect(holders('TAIL_MAX_PAGE_SIZE')).toEqual(['query']);
    expect(holders('STREAM_RETRY_MAX_SECONDS')).toEqual(['maintenance']);
  });

  it('gives the settle and write bounds, the same, to every process that writes or reads the tail', () => {
    const writersAndReaders = ['ingest', 'query', 'export', 'maintenance'];
    const defaults = { TAIL_SETTLE_SECONDS: '2', TAIL_MAX_WRITE_SECONDS: '60' };
    for (const [key, fallback] of Object.entries(defaults)) {
      expect(holders(key)).toEqual(expect.arrayContaining(writersAndReaders));
      const values = new Set(holders(key).map((name) => service(name).environment?.[key]));
      expect([...values]).toEqual([`\${${key}:-${fallback}}`]);
    }
  });

  it('passes the config validation of the query app and the maintenance worker', () => {
    const vars = {
      SIEM_API_KEYS:
        'splunk:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae:*,wazuh:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9:acme',
      TAIL_SETTLE_SECONDS: '5',
      TAIL_MAX_PAGE_SIZE: '500',
    };
    const query = loadConfig('query', envOf('query', vars));
    expect(query.tail).toMatchObject({ settleMs: 5000, maxWriteMs: 60_000, maxPageSize: 500 });
    expect(query.tail.siemKeys.map((key) => key.id)).toEqual(['splunk', 'wazuh']);
    const defaults = loadConfig('query', envOf('query'));
    expect(defaults.tail).toMatchObject({ settleMs: 2000, maxPageSize: 1000, siemKeys: [] });
    const maintenance = loadConfig('maintenance', envOf('maintenance', vars));
    expect(maintenance.tail).toMatchObject({ settleMs: 5000, maxWriteMs: 60_000 });
    // An out-of-range value stops the app, as every bad setting does.
    expect(() => loadConfig('query', envOf('query', { TAIL_SETTLE_SECONDS: '0' }))).toThrow(
      /TAIL_SETTLE_SECONDS/,
    );
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

  it('names every variable the compose file reads', () => {
    const read = new Set(
      [
        ...fs
          .readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')
          .matchAll(/\$\{([A-Z_]+)/g),
      ].map((match) => match[1]),
    );
    expect([...read]).toEqual(
      expect.arrayContaining([
        'VIEWER_TOKEN_KEYS',
        'VIEWER_SESSION_SECRET',
        'AUDITLOG_PUBLIC_HOST',
        'SIEM_API_KEYS',
        'TAIL_SETTLE_SECONDS',
        'TAIL_MAX_PAGE_SIZE',
        'TAIL_MAX_WRITE_SECONDS',
        'STREAM_RETRY_MAX_SECONDS',
      ]),
    );
    const missing = [...read].filter((name) => !new RegExp(`^(# )?${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
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
    ] as const) {
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
