import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { firstOf } from '@auditlog/testing';
import { helm, helmBinary, helmOrThrow } from './support/helm';
import { type KubeObject, validateKubernetesObject } from './support/kubernetes-schema';

const CHART = 'helm/auditlog';
const VALUES = path.join(__dirname, 'helm-values');
const valuesFile = (name: string): string => path.join(VALUES, `${name}.yaml`);

interface Container {
  name: string;
  args?: string[];
  command?: string[];
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  ports?: Array<{ name: string; containerPort: number; protocol: string }>;
  readinessProbe?: { httpGet?: { path: string; port?: string | number } };
  livenessProbe?: { httpGet?: { path: string; port?: string | number } };
  startupProbe?: { httpGet?: { path: string; port?: string | number } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  /** Kubernetes rejects a pod without containers; `podSpec` checks it. */
  containers: [Container, ...Container[]];
  volumes?: Array<{
    name: string;
    persistentVolumeClaim?: { claimName: string };
    secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  }>;
  automountServiceAccountToken?: boolean;
}

async function render(files: string[], extra: string[] = []): Promise<KubeObject[]> {
  const out = await helmOrThrow([
    'template',
    'audit',
    CHART,
    '--namespace',
    'audit',
    ...files.flatMap((file) => ['-f', valuesFile(file)]),
    ...extra,
  ]);
  return parseAllDocuments(out)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => !!object);
}

const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const withContainers = (spec: PodSpec, what: string): PodSpec => {
  if (spec.containers.length === 0) throw new Error(`${what} has no containers`);
  return spec;
};
const podSpec = (object: KubeObject): PodSpec =>
  withContainers(
    (object.spec as { template: { spec: PodSpec } }).template.spec,
    `${object.kind}/${object.metadata.name}`,
  );
const byName = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

const SCENARIOS: Array<[string, string[]]> = [
  ['required values only', ['required']],
  ['ingress and autoscaling', ['required', 'ingress-hpa']],
  ['existing secrets', ['required', 'existing-secrets']],
  ['external Redis with TLS and JWKS', ['required', 'external-redis-tls']],
  ['the console embedded, with viewer tokens', ['required', 'console-viewer']],
  ['SIEM keys, tail settings and restricted egress', ['required', 'siem']],
  ['Redis with Sentinel and TLS', ['required', 'redis-sentinel']],
];

describe('Helm chart helm/auditlog', () => {
  beforeAll(async () => {
    await helmBinary();
  }, 120_000);

  it('validates with a schema that can fail', () => {
    const broken: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 1 }] } } },
    };
    expect(() => validateKubernetesObject(broken)).toThrow(/Deployment\/broken: .*image/);
  });

  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', CHART, '-f', valuesFile('required')]);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it.each([
    ['opensearch.url', ['--set', 'opensearch.url='], 'opensearch.url is required'],
    ['redis.url', ['--set', 'redis.url='], 'redis.url (or redis.existingSecret) is required'],
    [
      'JWT verification',
      ['--set', 'auth.jwtSecret='],
      'one of auth.jwtSecret, auth.jwtPublicKey, auth.jwksUrl',
    ],
    [
      'ingest keys',
      ['--set', 'ingestKeys.keys='],
      'ingestKeys.keys (or ingestKeys.existingSecret) is required',
    ],
    [
      'an OpenSearch password',
      ['--set', 'opensearch.users.query.password='],
      'opensearch.users.query.password',
    ],
    [
      'the setup credentials',
      ['--set', 'opensearch.users.setup.password='],
      'opensearch.users.setup.username and password',
    ],
  ])('refuses to render without %s', async (_what, args, message) => {
    const result = await helm(['template', 'audit', CHART, '-f', valuesFile('required'), ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['a negative replica count', ['--set', 'ingest.replicaCount=-1']],
    ['an unknown log level', ['--set', 'config.logLevel=loud']],
    ['a non-https OpenSearch URL', ['--set', 'opensearch.url=opensearch:9200']],
    ['a short JWT secret', ['--set', 'auth.jwtSecret=short']],
    ['an unknown top-level key', ['--set', 'replicas=3']],
    ['frame ancestors given as one string', ['--set', 'console.frameAncestors=https://a.example']],
    [
      'a wildcard frame ancestor',
      ['--set-json', 'console.frameAncestors=["https://*.platform.example.com"]'],
    ],
    [
      'a frame ancestor with a path',
      ['--set-json', 'console.frameAncestors=["https://platform.example.com/app"]'],
    ],
    ['a CORS origin without a scheme', ['--set-json', 'console.corsAllowedOrigins=["platform"]']],
    ['a console public URL without a scheme', ['--set', 'console.publicUrl=auditlog.example.com']],
    ['a non-http export URL', ['--set', 'console.exportUrl=ftp://export.example.com']],
    ['an egress network that is a host name', ['--set-json', 'egress.allowedCidrs=["localhost"]']],
    ['egress.allowPrivate given as a string', ['--set-string', 'egress.allowPrivate=yes']],
    ['an unknown console key', ['--set', 'console.theme=dark']],
    ['a short viewer session secret', ['--set', 'viewerTokens.sessionSecret=short']],
    ['viewer token keys given as a list', ['--set-json', 'viewerTokens.keys=["a:b:*"]']],
    ['an unknown viewerTokens key', ['--set', 'viewerTokens.ttl=900']],
    ['SIEM keys given as a list', ['--set-json', 'siemKeys.keys=["a:b:*"]']],
    ['an unknown siemKeys key', ['--set', 'siemKeys.file=/etc/keys']],
    ['a settle time of 0', ['--set', 'tail.settleSeconds=0']],
    ['a settle time above 300 s', ['--set', 'tail.settleSeconds=301']],
    ['a settle time given as a string', ['--set-string', 'tail.settleSeconds=2']],
    ['a fractional settle time', ['--set', 'tail.settleSeconds=1.5']],
    ['a tail page size above 10000', ['--set', 'tail.maxPageSize=10001']],
    ['a tail page size of 0', ['--set', 'tail.maxPageSize=0']],
    ['a write bound under 5 s', ['--set', 'tail.maxWriteSeconds=4']],
    ['a write bound above an hour', ['--set', 'tail.maxWriteSeconds=3601']],
    ['an unknown tail key', ['--set', 'tail.pollSeconds=5']],
    ['a stream retry wait of 0', ['--set', 'streams.retryMaxSeconds=0']],
    ['a stream retry wait above an hour', ['--set', 'streams.retryMaxSeconds=3601']],
    [
      'stream egress given as one rule, not a list',
      ['--set-json', 'networkPolicy.streamEgress={"ports":[{"port":443}]}'],
    ],
    [
      'a stream egress port above 65535',
      ['--set-json', 'networkPolicy.streamEgress=[{"ports":[{"port":70000}]}]'],
    ],
    [
      'a stream egress protocol that is not TCP, UDP or SCTP',
      ['--set-json', 'networkPolicy.streamEgress=[{"ports":[{"port":443,"protocol":"HTTPS"}]}]'],
    ],
    [
      'an ingress rule (from) in stream egress',
      ['--set-json', 'networkPolicy.streamEgress=[{"from":[{"podSelector":{}}]}]'],
    ],
    [
      'a stream egress destination that is not an object',
      ['--set-json', 'networkPolicy.streamEgress=[{"to":["10.0.0.0/8"]}]'],
    ],
  ])('rejects %s through values.schema.json', async (_what, args) => {
    const result = await helm(['template', 'audit', CHART, '-f', valuesFile('required'), ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema|schema/);
  });

  it('ships no credentials in its default values', () => {
    const defaults = fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8');
    const assigned = [
      ...defaults.matchAll(/(\w*(?:password|[sS]ecret|keys|[uU]rl)):\s*"([^"]*)"/g),
    ];
    expect(assigned.map(([, name]) => name)).toEqual(
      expect.arrayContaining(['sessionSecret', 'keys', 'publicUrl', 'exportUrl']),
    );
    expect(assigned.length).toBeGreaterThan(9);
    expect(assigned.filter(([, , value]) => value !== '')).toEqual([]);
  });

  describe.each(SCENARIOS)('rendered with %s', (_name, files) => {
    let objects: KubeObject[];
    beforeAll(async () => {
      objects = await render(files);
    });

    it('renders only objects that conform to the Kubernetes schemas', () => {
      expect(objects.length).toBeGreaterThan(8);
      for (const object of objects) validateKubernetesObject(object);
    });

    it('runs every container non-root, read-only, without capabilities, with seccomp', () => {
      const workloads = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')];
      expect(workloads.map((o) => o.metadata.name).sort()).toEqual([
        'audit-auditlog-export',
        'audit-auditlog-export-worker',
        'audit-auditlog-ingest',
        'audit-auditlog-maintenance',
        'audit-auditlog-query',
        'audit-auditlog-setup',
      ]);
      for (const workload of workloads) {
        const spec = podSpec(workload);
        expect(spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const container of spec.containers) {
          expect(container.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(container.resources?.requests).toEqual(
            expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
          );
          expect(container.resources?.limits?.memory).toEqual(expect.any(String));
          expect(container.volumeMounts).toContainEqual(
            expect.objectContaining({ mountPath: '/tmp' }),
          );
        }
      }
    });

    it('probes the HTTP apps on /health/live and /health/ready', () => {
      for (const name of ['ingest', 'query', 'export']) {
        const [container] = podSpec(
          byName(objects, 'Deployment', `audit-auditlog-${name}`),
        ).containers;
        expect(container.args).toEqual([name]);
        expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
        expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      }
      const [worker] = podSpec(
        byName(objects, 'Deployment', 'audit-auditlog-export-worker'),
      ).containers;
      expect(worker.args).toEqual(['export-worker']);
    });

    it('runs the maintenance worker with its own service account, probed on its health port', () => {
      const deployment = byName(objects, 'Deployment', 'audit-auditlog-maintenance');
      const spec = podSpec(deployment);
      const [container] = spec.containers;
      expect(container.args).toEqual(['maintenance']);
      expect((deployment.spec as { replicas?: number }).replicas).toBe(2);
      expect(container.ports).toEqual([{ name: 'health', containerPort: 3004, protocol: 'TCP' }]);
      expect(container.env).toContainEqual({ name: 'MAINTENANCE_HEALTH_PORT', value: '3004' });
      expect(container.env?.map((e) => e.name)).not.toContain('PORT');
      // It verifies no JWT: no auth secret reaches it.
      expect(container.env?.map((e) => e.name)).not.toContain('AUTH_JWT_SECRET');
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect(container.startupProbe?.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'health' });
      // No Service: nothing reaches it but the kubelet's probes (and a Prometheus scrape).
      expect(ofKind(objects, 'Service').map((o) => o.metadata.name)).not.toContain(
        'audit-auditlog-maintenance',
      );
      // Its own service account, apart from the apps' shared one.
      const account = (spec as { serviceAccountName?: string }).serviceAccountName;
      expect(account).toBe('audit-auditlog-maintenance');
      expect(ofKind(objects, 'ServiceAccount').map((o) => o.metadata.name)).toEqual(
        expect.arrayContaining(['audit-auditlog', 'audit-auditlog-maintenance']),
      );
      const query = podSpec(byName(objects, 'Deployment', 'audit-auditlog-query')) as {
        serviceAccountName?: string;
      };
      expect(query.serviceAccountName).not.toBe(account);
      // The setup job creates its OpenSearch user like the others'.
      const [setup] = podSpec(byName(objects, 'Job', 'audit-auditlog-setup')).containers;
      expect(setup.env?.map((e) => e.name)).toContain('OPENSEARCH_MAINTENANCE_USER_PASSWORD');
    });

    it('rolls pods when configuration changes (checksum annotations)', () => {
      for (const deployment of ofKind(objects, 'Deployment')) {
        const annotations = (
          deployment.spec as { template: { metadata: { annotations: Record<string, string> } } }
        ).template.metadata.annotations;
        expect(annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
        expect(annotations['checksum/secret']).toMatch(/^[a-f0-9]{64}$/);
      }
    });

    it('gives each process its own OpenSearch user and every secret through secretKeyRef', () => {
      const users: Record<string, string> = {};
      for (const deployment of ofKind(objects, 'Deployment')) {
        const [container] = podSpec(deployment).containers;
        const env = container.env ?? [];
        users[deployment.metadata.name] =
          env.find((e) => e.name === 'OPENSEARCH_USERNAME')?.value ?? '';
        for (const entry of env.filter((e) =>
          /PASSWORD|SECRET|REDIS_URL|PUBLIC_KEY/.test(e.name),
        )) {
          expect(entry.value).toBeUndefined();
          expect(entry.valueFrom?.secretKeyRef).toBeDefined();
        }
      }
      expect(users).toEqual({
        'audit-auditlog-ingest': 'auditlog-ingest',
        'audit-auditlog-query': 'auditlog-query',
        'audit-auditlog-export': 'auditlog-export',
        'audit-auditlog-export-worker': 'auditlog-export',
        'audit-auditlog-maintenance': 'auditlog-maintenance',
      });
    });

    it('mounts one export volume into the export API, its worker and the maintenance worker', () => {
      const claims = [
        'audit-auditlog-export',
        'audit-auditlog-export-worker',
        'audit-auditlog-maintenance',
      ].map(
        (name) =>
          podSpec(byName(objects, 'Deployment', name)).volumes?.find((v) => v.name === 'exports')
            ?.persistentVolumeClaim?.claimName,
      );
      expect(new Set(claims).size).toBe(1);
      expect(claims[0]).toEqual(expect.any(String));
    });

    it('configures the export API and its worker from the exports values block', () => {
      expect(byName(objects, 'ConfigMap', 'audit-auditlog').data).toMatchObject({
        EXPORT_DIR: '/var/lib/auditlog/exports',
        EXPORT_RETENTION: '7d',
        EXPORT_STREAM_MAX_ROWS: '10000',
        EXPORT_MAX_ROWS: '5000000',
        EXPORT_MAX_CONCURRENT_PER_COMPANY: '2',
        EXPORT_WORKER_CONCURRENCY: '2',
        EXPORT_JOB_LOCK_SECONDS: '30',
      });
      const worker = podSpec(byName(objects, 'Deployment', 'audit-auditlog-export-worker'));
      // No HTTP server: no probes on a port; long grace so a running job can be released.
      expect(worker.containers[0].readinessProbe).toBeUndefined();
      expect(worker.containers[0].volumeMounts).toContainEqual({
        name: 'exports',
        mountPath: '/var/lib/auditlog/exports',
      });
      expect(
        (
          byName(objects, 'Deployment', 'audit-auditlog-export-worker').spec as {
            template: { spec: { terminationGracePeriodSeconds: number } };
          }
        ).template.spec.terminationGracePeriodSeconds,
      ).toBe(120);
    });

    it('runs setup as a pre-install/pre-upgrade hook after its config and secret exist', () => {
      const job = byName(objects, 'Job', 'audit-auditlog-setup');
      expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const jobWeight = Number(job.metadata.annotations?.['helm.sh/hook-weight']);
      for (const dependency of [...ofKind(objects, 'ConfigMap'), ...ofKind(objects, 'Secret')]) {
        expect(dependency.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
        expect(Number(dependency.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
          jobWeight,
        );
      }
      const [container] = podSpec(job).containers;
      expect(container.command?.join(' ')).toContain('auditlog security && exec auditlog setup');
    });

    it('restricts traffic with a NetworkPolicy and keeps PDBs for the HTTP apps', () => {
      expect(
        ofKind(objects, 'NetworkPolicy')
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual(['audit-auditlog', 'audit-auditlog-stream-egress']);
      expect(ofKind(objects, 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual(
        expect.arrayContaining([
          'audit-auditlog-ingest',
          'audit-auditlog-query',
          'audit-auditlog-maintenance',
        ]),
      );
    });
  });

  it('routes ingress hosts to existing services and scales with HPAs', async () => {
    const objects = await render(['required', 'ingress-hpa']);
    const services = new Set(ofKind(objects, 'Service').map((s) => s.metadata.name));
    const ingress = firstOf(ofKind(objects, 'Ingress'), 'Ingress');
    const backends = (
      ingress.spec as {
        rules: Array<{
          host: string;
          http: { paths: Array<{ backend: { service: { name: string } } }> };
        }>;
      }
    ).rules.flatMap((rule) => rule.http.paths.map((p) => p.backend.service.name));
    expect(backends.length).toBe(3);
    for (const backend of backends) expect(services).toContain(backend);
    expect(
      ofKind(objects, 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['audit-auditlog-export-worker', 'audit-auditlog-ingest', 'audit-auditlog-query']);
    // Replicas belong to the HPA when it is on.
    expect(byName(objects, 'Deployment', 'audit-auditlog-ingest').spec).not.toHaveProperty(
      'replicas',
    );
    expect(byName(objects, 'Deployment', 'audit-auditlog-export').spec).toHaveProperty(
      'replicas',
      1,
    );
  });

  it('ships a helm test that checks readiness of every enabled HTTP app and the console', async () => {
    const objects = await render(['required'], ['--set', 'export.enabled=false']);
    const pod = firstOf(ofKind(objects, 'Pod'), 'Pod');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const script =
      withContainers(pod.spec as unknown as PodSpec, 'the test pod').containers[0].command?.join(
        ' ',
      ) ?? '';
    expect(script).toContain('http://audit-auditlog-ingest:3001/health/ready');
    expect(script).toContain('http://audit-auditlog-query:3002/health/ready');
    // The image's console: the query app answers 404 when dist/console is missing.
    expect(script).toContain('http://audit-auditlog-query:3002/console/');
    expect(script).not.toContain('audit-auditlog-export');
  });

  it('lets the setup job create the same OpenSearch users as compose, SIEM reader included', async () => {
    const compose = fs.readFileSync('docker-compose.yml', 'utf8');
    const setupService = compose.slice(
      compose.indexOf('\n  setup:'),
      compose.indexOf('\n  ingest:'),
    );
    // OpenSearch Dashboards is a compose profile; the chart deploys no Dashboards.
    const composeUsers = [...setupService.matchAll(/OPENSEARCH_(\w+)_USER_PASSWORD/g)]
      .map(([, user]) => user)
      .filter((user) => user !== 'DASHBOARDS');
    const passwordsOf = (objects: KubeObject[]) => {
      const [setup] = podSpec(byName(objects, 'Job', 'audit-auditlog-setup')).containers;
      return (setup.env ?? []).filter((e) => /^OPENSEARCH_\w+_USER_PASSWORD$/.test(e.name));
    };
    const plain = passwordsOf(await render(['required']));
    expect(plain.map((e) => e.name).sort()).toEqual(
      composeUsers.map((user) => `OPENSEARCH_${user}_USER_PASSWORD`).sort(),
    );
    // Without a password the SIEM and admin users are optional, as in compose.
    expect(plain.find((e) => e.name === 'OPENSEARCH_SIEM_USER_PASSWORD')?.valueFrom).toEqual({
      secretKeyRef: { name: 'audit-auditlog', key: 'opensearch-siem-password', optional: true },
    });
    const withSiem = await render(['required'], ['--set', 'opensearch.users.siem.password=s1em']);
    const secret = byName(withSiem, 'Secret', 'audit-auditlog') as KubeObject & {
      stringData: Record<string, string>;
    };
    expect(secret.stringData['opensearch-siem-password']).toBe('s1em');
    expect(secret.stringData['opensearch-admin-password']).toBeUndefined();
    const existing = passwordsOf(await render(['required', 'existing-secrets']));
    expect(
      existing.find((e) => e.name === 'OPENSEARCH_SIEM_USER_PASSWORD')?.valueFrom?.secretKeyRef,
    ).toEqual({ name: 'auditlog-opensearch', key: 'opensearch-siem-password', optional: true });
  });

  it('renders no Secret when every secret exists already, and uses those', async () => {
    const objects = await render(['required', 'existing-secrets']);
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    const refs = ofKind(objects, 'Deployment').flatMap((d) =>
      (podSpec(d).containers[0].env ?? []).flatMap((e) =>
        e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [],
      ),
    );
    expect(new Set(refs)).toEqual(
      new Set(['auditlog-opensearch', 'auditlog-redis', 'auditlog-jwt', 'auditlog-viewer-tokens']),
    );
    const job = podSpec(byName(objects, 'Job', 'audit-auditlog-setup'));
    expect(job.volumes).toContainEqual(
      expect.objectContaining({ secret: { secretName: 'opensearch-admin-cert' } }),
    );
    const config = byName(objects, 'ConfigMap', 'audit-auditlog');
    expect(config.data).toMatchObject({
      OPENSEARCH_CA_FILE: '/etc/auditlog/opensearch-ca/ca.crt',
      AUTH_AUDIENCE: 'auditlog',
    });
  });

  it('connects every process through the Sentinels, with passwords from the Secret and the Redis CA mounted', async () => {
    const objects = await render(['required', 'redis-sentinel']);
    expect(byName(objects, 'ConfigMap', 'audit-auditlog').data).toMatchObject({
      REDIS_SENTINELS:
        'redis-sentinel-0.redis:26379,redis-sentinel-1.redis:26379,redis-sentinel-2.redis:26379',
      REDIS_SENTINEL_NAME: 'auditlog',
      REDIS_TLS: 'true',
      REDIS_TLS_CA: '/etc/auditlog/redis-ca/ca.crt',
    });
    const secret = firstOf(ofKind(objects, 'Secret'), 'Secret');
    expect(secret.stringData).not.toHaveProperty('redis-url');
    expect(secret.stringData).toMatchObject({
      'redis-password': 'test-redis-password',
      'redis-sentinel-password': 'test-sentinel-password',
    });
    for (const deployment of ofKind(objects, 'Deployment')) {
      const [container] = podSpec(deployment).containers;
      const names = (container.env ?? []).map((variable) => variable.name);
      expect(names).not.toContain('REDIS_URL');
      expect(container.env).toContainEqual({
        name: 'REDIS_SENTINEL_PASSWORD',
        valueFrom: {
          secretKeyRef: {
            name: secret.metadata.name,
            key: 'redis-sentinel-password',
            optional: false,
          },
        },
      });
      expect(container.volumeMounts).toContainEqual({
        name: 'redis-ca',
        mountPath: '/etc/auditlog/redis-ca',
        readOnly: true,
      });
    }
    const both = await helm([
      'template',
      'audit',
      CHART,
      '-f',
      valuesFile('required'),
      '-f',
      valuesFile('redis-sentinel'),
      '--set',
      'redis.url=redis://r:6379',
    ]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('set either redis.url or redis.sentinels, not both');
  });

  it('passes extra environment variables through without template changes', async () => {
    const objects = await render(['required', 'external-redis-tls']);
    for (const deployment of ofKind(objects, 'Deployment')) {
      expect(podSpec(deployment).containers[0].env).toContainEqual({
        name: 'INGEST_MAX_BATCH_EVENTS',
        value: '2000',
      });
    }
    expect(
      podSpec(byName(objects, 'Deployment', 'audit-auditlog-query')).containers[0].env,
    ).toContainEqual({
      name: 'NODE_OPTIONS',
      value: '--max-old-space-size=384',
    });
    const secret = firstOf(ofKind(objects, 'Secret'), 'Secret');
    expect(secret.stringData?.['redis-url']).toMatch(/^rediss:\/\//);
    expect(secret.stringData).not.toHaveProperty('jwt-secret');
    expect(byName(objects, 'ConfigMap', 'audit-auditlog').data?.AUTH_JWKS_URL).toBe(
      'https://login.example.com/.well-known/jwks.json',
    );
  });

  it('refuses private and internal egress by default, and passes what the operator opens', async () => {
    const defaults = byName(await render(['required']), 'ConfigMap', 'audit-auditlog').data ?? {};
    expect(defaults).toMatchObject({
      EGRESS_ALLOW_PRIVATE: 'false',
      EXPORT_WEBHOOK_TIMEOUT_SECONDS: '10',
    });
    expect(defaults).not.toHaveProperty('EGRESS_ALLOWED_CIDRS');
    const opened = await render(
      ['required'],
      [
        '--set',
        'egress.allowPrivate=true',
        '--set-json',
        'egress.allowedCidrs=["10.20.0.0/16","fd00:12::/32"]',
      ],
    );
    expect(byName(opened, 'ConfigMap', 'audit-auditlog').data).toMatchObject({
      EGRESS_ALLOW_PRIVATE: 'true',
      EGRESS_ALLOWED_CIDRS: '10.20.0.0/16,fd00:12::/32',
    });
  });

  describe('SIEM access: keys, tail settings, stream egress', () => {
    const KEYS_FILE = '/etc/auditlog/siem-api-keys/siem-api-keys';
    const containerOf = (objects: KubeObject[], name: string): Container =>
      podSpec(byName(objects, 'Deployment', `audit-auditlog-${name}`)).containers[0];
    const configOf = (objects: KubeObject[]) =>
      byName(objects, 'ConfigMap', 'audit-auditlog').data ?? {};
    interface EgressRule {
      to?: Array<Record<string, unknown>>;
      ports?: Array<{ port: number | string; endPort?: number; protocol?: string }>;
    }
    interface Policy {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      egress: EgressRule[];
    }
    const policyOf = (objects: KubeObject[], name: string) =>
      byName(objects, 'NetworkPolicy', name).spec as unknown as Policy;

    it('gives every process the tail settings and the stream retry bound, defaults first', async () => {
      const defaults = await render(['required']);
      expect(configOf(defaults)).toMatchObject({
        TAIL_SETTLE_SECONDS: '2',
        TAIL_MAX_PAGE_SIZE: '1000',
        TAIL_MAX_WRITE_SECONDS: '60',
        STREAM_RETRY_MAX_SECONDS: '300',
      });
      const set = await render(['required', 'siem']);
      expect(configOf(set)).toMatchObject({
        TAIL_SETTLE_SECONDS: '5',
        TAIL_MAX_PAGE_SIZE: '500',
        TAIL_MAX_WRITE_SECONDS: '120',
        STREAM_RETRY_MAX_SECONDS: '900',
      });
      // The writers (ingest), the readers (query, export) and the stream worker read one ConfigMap.
      for (const name of ['ingest', 'query', 'export', 'export-worker', 'maintenance']) {
        expect(containerOf(set, name).envFrom).toContainEqual({
          configMapRef: { name: 'audit-auditlog' },
        });
      }
      const before = (
        byName(defaults, 'Deployment', 'audit-auditlog-ingest').spec as {
          template: { metadata: { annotations: Record<string, string> } };
        }
      ).template.metadata.annotations;
      const after = (
        byName(
          await render(['required'], ['--set', 'tail.settleSeconds=3']),
          'Deployment',
          'audit-auditlog-ingest',
        ).spec as { template: { metadata: { annotations: Record<string, string> } } }
      ).template.metadata.annotations;
      expect(after['checksum/config']).not.toBe(before['checksum/config']);
    });

    it('mounts no SIEM keys by default', async () => {
      const objects = await render(['required']);
      for (const deployment of ofKind(objects, 'Deployment')) {
        const [container] = podSpec(deployment).containers;
        expect(container.env?.map((e) => e.name)).not.toContain('SIEM_API_KEYS_FILE');
        expect(podSpec(deployment).volumes?.map((v) => v.name)).not.toContain('siem-api-keys');
      }
      expect(firstOf(ofKind(objects, 'Secret'), 'Secret').stringData).not.toHaveProperty(
        'siem-api-keys',
      );
    });

    it('mounts the SIEM keys as a file into the query pods only', async () => {
      const objects = await render(['required', 'siem']);
      expect(firstOf(ofKind(objects, 'Secret'), 'Secret').stringData?.['siem-api-keys']).toBe(
        [
          'splunk:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae:*',
          'wazuh:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9:acme',
          '',
        ].join('\n'),
      );
      const query = containerOf(objects, 'query');
      expect(query.env).toContainEqual({ name: 'SIEM_API_KEYS_FILE', value: KEYS_FILE });
      expect(query.env?.map((e) => e.name)).not.toContain('SIEM_API_KEYS');
      expect(query.volumeMounts).toContainEqual({
        name: 'siem-api-keys',
        mountPath: path.posix.dirname(KEYS_FILE),
        readOnly: true,
      });
      expect(podSpec(byName(objects, 'Deployment', 'audit-auditlog-query')).volumes).toContainEqual(
        {
          name: 'siem-api-keys',
          secret: {
            secretName: 'audit-auditlog',
            items: [{ key: 'siem-api-keys', path: path.posix.basename(KEYS_FILE) }],
          },
        },
      );
      for (const name of ['ingest', 'export', 'export-worker', 'maintenance']) {
        expect(containerOf(objects, name).env?.map((e) => e.name)).not.toContain(
          'SIEM_API_KEYS_FILE',
        );
        expect(
          podSpec(byName(objects, 'Deployment', `audit-auditlog-${name}`)).volumes?.map(
            (v) => v.name,
          ),
        ).not.toContain('siem-api-keys');
      }
    });

    it('reads the SIEM keys from siemKeys.existingSecret', async () => {
      const objects = await render(['required', 'existing-secrets']);
      expect(containerOf(objects, 'query').env).toContainEqual({
        name: 'SIEM_API_KEYS_FILE',
        value: KEYS_FILE,
      });
      expect(podSpec(byName(objects, 'Deployment', 'audit-auditlog-query')).volumes).toContainEqual(
        {
          name: 'siem-api-keys',
          secret: {
            secretName: 'auditlog-siem-keys',
            items: [{ key: 'siem-api-keys', path: 'siem-api-keys' }],
          },
        },
      );
      // Keys set next to an existing Secret are not copied into the chart's own.
      const both = await render(
        ['required', 'existing-secrets'],
        ['--set', 'siemKeys.keys=splunk:abc:*'],
      );
      expect(ofKind(both, 'Secret')).toEqual([]);
    });

    it('opens the usual SIEM ports to the stream worker only, by default to any destination', async () => {
      const objects = await render(['required']);
      const stream = policyOf(objects, 'audit-auditlog-stream-egress');
      expect(stream.podSelector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'auditlog',
        'app.kubernetes.io/instance': 'audit',
        'app.kubernetes.io/component': 'maintenance',
      });
      // Egress only: the worker's ingress stays as the shared policy says.
      expect(stream.policyTypes).toEqual(['Egress']);
      expect(stream.egress).toEqual([
        {
          ports: [443, 8088, 514, 6514, 9200].map((port) => ({ port, protocol: 'TCP' })),
        },
      ]);
      // The shared policy, for every pod, is unchanged: DNS, then anywhere.
      const shared = policyOf(objects, 'audit-auditlog');
      expect(shared.podSelector.matchLabels).not.toHaveProperty('app.kubernetes.io/component');
      expect(shared.egress).toEqual([
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        {},
      ]);
    });

    it('passes the stream egress rules as set and keeps the other pods to egressTo', async () => {
      const objects = await render(['required', 'siem']);
      expect(policyOf(objects, 'audit-auditlog-stream-egress').egress).toEqual([
        { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 6514, protocol: 'TCP' }] },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'splunk' } } }],
          ports: [
            { port: 8088, protocol: 'TCP' },
            { port: 9000, endPort: 9010, protocol: 'TCP' },
          ],
        },
      ]);
      expect(policyOf(objects, 'audit-auditlog').egress.at(-1)).toEqual({
        to: [{ ipBlock: { cidr: '10.0.0.0/8' } }],
      });
    });

    it.each<[string, string[]]>([
      ['an empty streamEgress', ['--set-json', 'networkPolicy.streamEgress=[]']],
      ['the maintenance worker off', ['--set', 'maintenance.enabled=false']],
      ['NetworkPolicies off', ['--set', 'networkPolicy.enabled=false']],
    ])('renders no stream egress policy with %s', async (_what, extra) => {
      const objects = await render(['required'], extra);
      expect(ofKind(objects, 'NetworkPolicy').map((o) => o.metadata.name)).not.toContain(
        'audit-auditlog-stream-egress',
      );
    });
  });

  describe('console and viewer tokens', () => {
    const QUERY = 'audit-auditlog-query';
    const EXPORT = 'audit-auditlog-export';
    const KEYS_FILE = '/etc/auditlog/viewer-token-keys/viewer-token-keys';
    const containerOf = (objects: KubeObject[], name: string): Container =>
      podSpec(byName(objects, 'Deployment', `audit-auditlog-${name}`)).containers[0];
    const envOf = (objects: KubeObject[], name: string) => containerOf(objects, name).env ?? [];
    const CONSOLE_KEYS = [
      'CONSOLE_FRAME_ANCESTORS',
      'CORS_ALLOWED_ORIGINS',
      'CONSOLE_PUBLIC_URL',
      'CONSOLE_EXPORT_URL',
    ];

    it('sets nothing for the console by default: same origin, no CORS, no viewer keys', async () => {
      const objects = await render(['required']);
      const data = byName(objects, 'ConfigMap', 'audit-auditlog').data ?? {};
      for (const key of CONSOLE_KEYS) expect(data).not.toHaveProperty(key);
      for (const deployment of ofKind(objects, 'Deployment')) {
        const [container] = podSpec(deployment).containers;
        expect((container.env ?? []).map((e) => e.name)).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/^VIEWER_/)]),
        );
        expect(podSpec(deployment).volumes?.map((v) => v.name)).not.toContain('viewer-token-keys');
      }
      const secret = firstOf(ofKind(objects, 'Secret'), 'Secret');
      expect(Object.keys(secret.stringData ?? {})).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^viewer-/)]),
      );
    });

    it('puts the console values into the ConfigMap every process reads', async () => {
      const objects = await render(['required', 'console-viewer']);
      const data = byName(objects, 'ConfigMap', 'audit-auditlog').data ?? {};
      expect(data).toMatchObject({
        CONSOLE_FRAME_ANCESTORS: 'https://platform.example.com,https://admin.example.com:8443',
        CORS_ALLOWED_ORIGINS: 'https://platform.example.com',
        CONSOLE_PUBLIC_URL: 'https://auditlog.example.com',
      });
      // Same origin behind the Ingress: the console finds the export API on its own host.
      expect(data).not.toHaveProperty('CONSOLE_EXPORT_URL');
      for (const name of ['query', 'export']) {
        expect(containerOf(objects, name).envFrom).toContainEqual({
          configMapRef: { name: 'audit-auditlog' },
        });
      }
      const split = await render(
        ['required', 'console-viewer'],
        ['--set', 'console.exportUrl=https://export.auditlog.example.com'],
      );
      expect(byName(split, 'ConfigMap', 'audit-auditlog').data?.CONSOLE_EXPORT_URL).toBe(
        'https://export.auditlog.example.com',
      );
    });

    it('mounts the viewer-token keys as a file into the query pods only', async () => {
      const objects = await render(['required', 'console-viewer']);
      const secret = firstOf(ofKind(objects, 'Secret'), 'Secret');
      expect(secret.stringData?.['viewer-token-keys']).toBe(
        [
          'platform:5d5b09f6dcb2d53a5fffc60c4ac0d55fabdf556069d6631545f42aa6e3500f2e:*',
          'support:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08:acme|globex',
          '',
        ].join('\n'),
      );
      const query = containerOf(objects, 'query');
      expect(query.env).toContainEqual({ name: 'VIEWER_TOKEN_KEYS_FILE', value: KEYS_FILE });
      expect(query.env?.map((e) => e.name)).not.toContain('VIEWER_TOKEN_KEYS');
      const mount = query.volumeMounts?.find((m) => m.name === 'viewer-token-keys');
      expect(mount).toEqual({
        name: 'viewer-token-keys',
        mountPath: path.posix.dirname(KEYS_FILE),
        readOnly: true,
      });
      const volume = podSpec(byName(objects, 'Deployment', QUERY)).volumes?.find(
        (v) => v.name === 'viewer-token-keys',
      );
      expect(volume?.secret).toEqual({
        secretName: 'audit-auditlog',
        items: [{ key: 'viewer-token-keys', path: path.posix.basename(KEYS_FILE) }],
      });
      for (const name of ['ingest', 'export', 'export-worker']) {
        expect(envOf(objects, name).map((e) => e.name)).not.toContain('VIEWER_TOKEN_KEYS_FILE');
        expect(
          podSpec(byName(objects, 'Deployment', `audit-auditlog-${name}`)).volumes?.map(
            (v) => v.name,
          ),
        ).not.toContain('viewer-token-keys');
      }
    });

    it('gives query and export the same session secret from the Secret, nobody else', async () => {
      const objects = await render(['required', 'console-viewer']);
      const secret = firstOf(ofKind(objects, 'Secret'), 'Secret');
      expect(secret.stringData?.['viewer-session-secret']).toBe(
        'test-viewer-session-secret-0123456789abcdef',
      );
      const refs = ['query', 'export'].map(
        (name) => envOf(objects, name).find((e) => e.name === 'VIEWER_SESSION_SECRET')?.valueFrom,
      );
      for (const ref of refs) {
        expect(ref).toEqual({
          secretKeyRef: { name: 'audit-auditlog', key: 'viewer-session-secret', optional: false },
        });
      }
      for (const name of ['ingest', 'export-worker']) {
        expect(envOf(objects, name).map((e) => e.name)).not.toContain('VIEWER_SESSION_SECRET');
      }
    });

    it('reads both from viewerTokens.existingSecret, the session secret optional there', async () => {
      const objects = await render(['required', 'existing-secrets']);
      for (const name of ['query', 'export']) {
        expect(envOf(objects, name).find((e) => e.name === 'VIEWER_SESSION_SECRET')).toEqual({
          name: 'VIEWER_SESSION_SECRET',
          valueFrom: {
            secretKeyRef: {
              name: 'auditlog-viewer-tokens',
              key: 'viewer-session-secret',
              optional: true,
            },
          },
        });
      }
      expect(envOf(objects, 'query')).toContainEqual({
        name: 'VIEWER_TOKEN_KEYS_FILE',
        value: KEYS_FILE,
      });
      expect(podSpec(byName(objects, 'Deployment', QUERY)).volumes).toContainEqual({
        name: 'viewer-token-keys',
        secret: {
          secretName: 'auditlog-viewer-tokens',
          items: [{ key: 'viewer-token-keys', path: 'viewer-token-keys' }],
        },
      });
    });

    it('gives the stream secrets key to query and maintenance only, from its Secret', async () => {
      const without = await render(['required']);
      for (const name of ['query', 'maintenance']) {
        expect(envOf(without, name).map((e) => e.name)).not.toContain('STREAM_SECRETS_KEYS');
      }
      const objects = await render(
        ['required'],
        [
          '--set',
          'streams.secretsKey.existingSecret=auditlog-streams',
          '--set',
          'streams.allowPlainHttp=true',
        ],
      );
      for (const name of ['query', 'maintenance']) {
        expect(envOf(objects, name)).toContainEqual({
          name: 'STREAM_SECRETS_KEYS',
          valueFrom: { secretKeyRef: { name: 'auditlog-streams', key: 'stream-secrets-keys' } },
        });
      }
      for (const name of ['ingest', 'export', 'export-worker']) {
        expect(envOf(objects, name).map((e) => e.name)).not.toContain('STREAM_SECRETS_KEYS');
      }
      expect(ofKind(objects, 'ConfigMap')[0]?.data).toMatchObject({
        STREAM_DESTINATIONS_ALLOW_HTTP: 'true',
      });
    });

    it('rolls the pods when a console value or a viewer secret changes', async () => {
      const checksums = async (extra: string[]) => {
        const objects = await render(['required', 'console-viewer'], extra);
        const annotationsOf = (name: string) =>
          (
            byName(objects, 'Deployment', name).spec as {
              template: { metadata: { annotations: Record<string, string> } };
            }
          ).template.metadata.annotations;
        return { [QUERY]: annotationsOf(QUERY), [EXPORT]: annotationsOf(EXPORT) };
      };
      const before = await checksums([]);
      const ancestors = await checksums([
        '--set-json',
        'console.frameAncestors=["https://other.example.com"]',
      ]);
      const secret = await checksums([
        '--set',
        'viewerTokens.sessionSecret=another-viewer-session-secret-0123456789',
      ]);
      for (const name of [QUERY, EXPORT] as const) {
        expect(ancestors[name]['checksum/config']).not.toBe(before[name]['checksum/config']);
        expect(ancestors[name]['checksum/secret']).toBe(before[name]['checksum/secret']);
        expect(secret[name]['checksum/secret']).not.toBe(before[name]['checksum/secret']);
        expect(secret[name]['checksum/config']).toBe(before[name]['checksum/config']);
      }
    });

    it('refuses viewer-token keys without a way to sign sessions', async () => {
      const args = [
        '-f',
        valuesFile('required'),
        '-f',
        valuesFile('external-redis-tls'), // JWKS: no HS256 secret to derive from
        '--set',
        'viewerTokens.keys=platform:5d5b09f6dcb2d53a5fffc60c4ac0d55fabdf556069d6631545f42aa6e3500f2e:*',
      ];
      const refused = await helm(['template', 'audit', CHART, ...args]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        'viewerTokens.sessionSecret (or viewerTokens.existingSecret)',
      );
      const accepted = await helm([
        'template',
        'audit',
        CHART,
        ...args,
        '--set',
        'viewerTokens.sessionSecret=test-viewer-session-secret-0123456789abcdef',
      ]);
      expect(accepted.code).toBe(0);
      // With an HS256 secret the apps derive the session key from it.
      const derived = await helm([
        'template',
        'audit',
        CHART,
        '-f',
        valuesFile('required'),
        '--set',
        'viewerTokens.keys=platform:5d5b09f6dcb2d53a5fffc60c4ac0d55fabdf556069d6631545f42aa6e3500f2e:*',
      ]);
      expect(derived.code).toBe(0);
    });

    it('routes the console host: /console and / to query, /v1/exports to export', async () => {
      const objects = await render(['required', 'console-viewer']);
      const ingress = firstOf(ofKind(objects, 'Ingress'), 'Ingress');
      const rules = (ingress.spec as { rules: IngressRule[] }).rules;
      const consoleHost = 'auditlog.example.com';
      const cases: Array<[string, string, string | undefined]> = [
        [consoleHost, '/', QUERY],
        [consoleHost, '/console', QUERY],
        [consoleHost, '/console/', QUERY],
        [consoleHost, '/console/?target_id=svc-1', QUERY],
        [consoleHost, '/console/config.json', QUERY],
        [consoleHost, '/console/assets/index-3f9a1c.js', QUERY],
        [consoleHost, '/console/embed.js', QUERY],
        [consoleHost, '/v1/events', QUERY],
        [consoleHost, '/v1/events/histogram', QUERY],
        [consoleHost, '/v1/catalog', QUERY],
        [consoleHost, '/v1/session', QUERY],
        [consoleHost, '/v1/viewer-tokens', QUERY],
        [consoleHost, '/v1/viewer-sessions', QUERY],
        [consoleHost, '/v1/integrity/verify', QUERY],
        [consoleHost, '/v1/admin/companies', QUERY],
        [consoleHost, '/v1/exports', EXPORT],
        [consoleHost, '/v1/exports/stream?format=csv', EXPORT],
        [consoleHost, '/v1/exports/01J9/download', EXPORT],
        [consoleHost, '/v1/exportsx', QUERY],
        ['ingest.auditlog.example.com', '/v1/events', 'audit-auditlog-ingest'],
        ['ingest.auditlog.example.com', '/console/', 'audit-auditlog-ingest'],
        ['other.example.com', '/console/', undefined],
      ];
      expect(cases.map(([host, url]) => [host, url, routeOf(rules, host, url)])).toEqual(cases);
      // The one host serves the console and both APIs: no CORS, exportUrl "" works.
      expect(byName(objects, 'ConfigMap', 'audit-auditlog').data).not.toHaveProperty(
        'CONSOLE_EXPORT_URL',
      );
    });

    it('takes the public URL of viewer-token links from the console Ingress host', async () => {
      const publicUrl = async (files: string[], extra: string[] = []) =>
        byName(await render(files, extra), 'ConfigMap', 'audit-auditlog').data?.CONSOLE_PUBLIC_URL;
      expect(await publicUrl(['required', 'ingress-hpa'])).toBe('https://auditlog.example.com');
      expect(await publicUrl(['required'], ['--set', 'ingress.enabled=true'])).toBe(
        'http://auditlog.example.com',
      );
      expect(
        await publicUrl(
          ['required', 'ingress-hpa'],
          ['--set', 'console.publicUrl=https://audit.example.org'],
        ),
      ).toBe('https://audit.example.org');
      expect(await publicUrl(['required'])).toBeUndefined();
    });

    it('prints the console URL in the notes when the Ingress is on', async () => {
      const notes = async (files: string[], extra: string[] = []) => {
        const out = await helmOrThrow([
          'install',
          'audit',
          CHART,
          '--dry-run=client',
          '--namespace',
          'audit',
          ...files.flatMap((file) => ['-f', valuesFile(file)]),
          ...extra,
        ]);
        return out.slice(out.indexOf('NOTES:'));
      };
      const withTls = await notes(['required', 'console-viewer']);
      expect(withTls).toMatch(/^NOTES:/);
      expect(withTls).toContain('  https://auditlog.example.com/console/\n');
      expect(withTls).not.toContain('ingest.auditlog.example.com/console/');
      const plain = await notes(['required'], ['--set', 'ingress.enabled=true']);
      expect(plain).toContain('  http://auditlog.example.com/console/\n');
      const none = await notes(['required']);
      expect(none).not.toMatch(/https?:\/\/auditlog\.example\.com\/console\//);
      expect(none).toContain('http://localhost:3002/console/');
    });
  });
});

interface IngressRule {
  host: string;
  http: {
    paths: Array<{ path: string; pathType: string; backend: { service: { name: string } } }>;
  };
}

/**
 * The Service an Ingress sends a request to, by the Kubernetes rules: the host must match,
 * an Exact path beats any Prefix, and the longest Prefix wins, matched element by element
 * (`/v1/exports` matches `/v1/exports/x`, not `/v1/exportsx`).
 */
function routeOf(rules: IngressRule[], host: string, url: string): string | undefined {
  const [requestPath = ''] = url.split('?');
  const elements = (p: string) => p.split('/').filter(Boolean);
  const candidates = rules
    .filter((rule) => rule.host === host)
    .flatMap((rule) => rule.http.paths)
    .filter(({ path: p, pathType }) => {
      if (pathType === 'Exact') return p === requestPath;
      const prefix = elements(p);
      const request = elements(requestPath);
      return prefix.every((element, i) => request[i] === element);
    })
    .sort(
      (a, b) =>
        Number(b.pathType === 'Exact') - Number(a.pathType === 'Exact') ||
        elements(b.path).length - elements(a.path).length,
    );
  return candidates[0]?.backend.service.name;
}
