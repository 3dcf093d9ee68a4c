import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
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
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{
    name: string;
    persistentVolumeClaim?: { claimName: string };
    secret?: { secretName: string };
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
const podSpec = (object: KubeObject): PodSpec =>
  (object.spec as { template: { spec: PodSpec } }).template.spec;
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
  ])('rejects %s through values.schema.json', async (_what, args) => {
    const result = await helm(['template', 'audit', CHART, '-f', valuesFile('required'), ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema|schema/);
  });

  it('ships no credentials in its default values', () => {
    const defaults = fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8');
    const assigned = [...defaults.matchAll(/(password|jwtSecret|keys|url):\s*"([^"]*)"/g)];
    expect(assigned.length).toBeGreaterThan(5);
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
      });
    });

    it('mounts one export volume into the export API and the worker', () => {
      const claims = ['audit-auditlog-export', 'audit-auditlog-export-worker'].map(
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
      expect(ofKind(objects, 'NetworkPolicy')).toHaveLength(1);
      expect(ofKind(objects, 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual(
        expect.arrayContaining(['audit-auditlog-ingest', 'audit-auditlog-query']),
      );
    });
  });

  it('routes ingress hosts to existing services and scales with HPAs', async () => {
    const objects = await render(['required', 'ingress-hpa']);
    const services = new Set(ofKind(objects, 'Service').map((s) => s.metadata.name));
    const [ingress] = ofKind(objects, 'Ingress');
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

  it('ships a helm test that checks readiness of every enabled HTTP app', async () => {
    const objects = await render(['required'], ['--set', 'export.enabled=false']);
    const [pod] = ofKind(objects, 'Pod');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const script = (pod.spec as unknown as PodSpec).containers[0].command?.join(' ') ?? '';
    expect(script).toContain('http://audit-auditlog-ingest:3001/health/ready');
    expect(script).toContain('http://audit-auditlog-query:3002/health/ready');
    expect(script).not.toContain('audit-auditlog-export');
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
      new Set(['auditlog-opensearch', 'auditlog-redis', 'auditlog-jwt']),
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
    const [secret] = ofKind(objects, 'Secret');
    expect(secret.stringData?.['redis-url']).toMatch(/^rediss:\/\//);
    expect(secret.stringData).not.toHaveProperty('jwt-secret');
    expect(byName(objects, 'ConfigMap', 'audit-auditlog').data?.AUTH_JWKS_URL).toBe(
      'https://login.example.com/.well-known/jwks.json',
    );
  });
});
