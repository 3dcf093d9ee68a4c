import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { extractZip } from '../../../scripts/services/archive';
import { discoverJdks, type Jdk } from '../../../scripts/services/java';
import {
  coordinates,
  fetchMavenArtifact,
  type MavenArtifact,
} from '../../../scripts/services/maven';
import { prepareDistribution } from '../../../scripts/services/opensearch-distribution';
import {
  heapOptions,
  nodeLayout,
  writeNodeConfig,
} from '../../../scripts/services/opensearch-node-config';
import { OPENSEARCH_PROCESS_MARKER } from '../../../scripts/services/opensearch-state';
import { isRoot, OPENSEARCH_SYSTEM_USER, servicePaths } from '../../../scripts/services/paths';
import { findFreePort } from '../../../scripts/services/ports';
import {
  isProcessRunning,
  readPidFile,
  runCommand,
  sendSignal,
  sleep,
  tailFile,
  terminateProcess,
} from '../../../scripts/services/processes';
import { chownRecursive, ensureSystemUser } from '../../../scripts/services/system-user';
import { createTestCertificates, type TestCertificates } from './certificates';

const VERSION = '3.4.0';
const STARTUP_TIMEOUT_MS = 180_000;

export const SECURITY_PLUGIN: MavenArtifact = {
  groupId: 'org.opensearch.plugin',
  artifactId: 'opensearch-security',
  version: `${VERSION}.0`,
  packaging: 'zip',
};

// The security plugin extends the `rule-framework` module of the full distribution, which is
// not published to Maven; the plugin only needs the commons-collections4 classes it ships.
const COLLECTIONS: MavenArtifact = {
  groupId: 'org.apache.commons',
  artifactId: 'commons-collections4',
  version: '4.4',
  packaging: 'jar',
};

export interface SecuredNode {
  url: string;
  certificates: TestCertificates;
  /** A client authenticated with the admin certificate (security REST API allowed). */
  adminClient(): Client;
  /** A client authenticated with basic auth, trusting the test CA. */
  userClient(username: string, password: string): Client;
  stop(): Promise<void>;
}

let stopPending: (() => Promise<void>) | undefined;

/**
 * Stops a node whose start has not returned yet (a test hook timed out): without this a
 * detached JVM could outlive the test run.
 */
export async function abortSecuredOpenSearch(): Promise<void> {
  await stopPending?.();
}

/** Thrown when the security plugin cannot be fetched: carries the command to reproduce it. */
export class SecurityPluginUnavailableError extends Error {}

function log(line: string): void {
  process.stdout.write(`[secured-opensearch] ${line}\n`);
}

function java21(): Jdk {
  const jdk = discoverJdks().find((candidate) => candidate.major >= 21);
  if (!jdk) throw new Error(`OpenSearch ${VERSION} with the security plugin needs Java 21+`);
  return jdk;
}

async function fetchOrExplain(artifact: MavenArtifact, downloadsDir: string): Promise<string> {
  try {
    return await fetchMavenArtifact(artifact, downloadsDir, log);
  } catch (error) {
    throw new SecurityPluginUnavailableError(
      `could not fetch ${coordinates(artifact)}; reproduce with:\n` +
        `  mvn -q dependency:copy -Dartifact=${coordinates(artifact)} -DoutputDirectory=${downloadsDir}\n` +
        `error: ${(error as Error).message}`,
    );
  }
}

/** Copies the cached distribution (which stays pristine) and adds the security plugin. */
async function secureDistribution(workDir: string, jdk: Jdk): Promise<string> {
  const paths = servicePaths();
  const pristine = await prepareDistribution(paths, VERSION, jdk, log);
  const pluginZip = await fetchOrExplain(SECURITY_PLUGIN, paths.downloadsDir);
  const collectionsJar = await fetchOrExplain(COLLECTIONS, paths.downloadsDir);
  const home = path.join(workDir, 'dist');
  const copy = await runCommand('cp', ['-a', pristine.home, home]);
  if (copy.code !== 0) throw new Error(`copying ${pristine.home} failed: ${copy.stderr}`);
  const pluginDir = path.join(home, 'plugins', 'opensearch-security');
  fs.mkdirSync(pluginDir, { recursive: true });
  await extractZip(pluginZip, pluginDir, jdk.home);
  fs.copyFileSync(collectionsJar, path.join(pluginDir, path.basename(collectionsJar)));
  const descriptor = path.join(pluginDir, 'plugin-descriptor.properties');
  fs.writeFileSync(
    descriptor,
    fs
      .readFileSync(descriptor, 'utf8')
      .replace(
        /^extended\.plugins=.*$/m,
        'extended.plugins=workload-management;optional=true,rule-framework;optional=true',
      ),
  );
  return home;
}

function securitySettings(certs: TestCertificates): string[] {
  return [
    `plugins.security.ssl.transport.pemcert_filepath: ${certs.nodeCert}`,
    `plugins.security.ssl.transport.pemkey_filepath: ${certs.nodeKey}`,
    `plugins.security.ssl.transport.pemtrustedcas_filepath: ${certs.ca}`,
    'plugins.security.ssl.transport.enforce_hostname_verification: false',
    'plugins.security.ssl.http.enabled: true',
    `plugins.security.ssl.http.pemcert_filepath: ${certs.nodeCert}`,
    `plugins.security.ssl.http.pemkey_filepath: ${certs.nodeKey}`,
    `plugins.security.ssl.http.pemtrustedcas_filepath: ${certs.ca}`,
    'plugins.security.ssl.http.clientauth_mode: OPTIONAL',
    'plugins.security.allow_default_init_securityindex: true',
    `plugins.security.authcz.admin_dn: ["${certs.adminDn}"]`,
    `plugins.security.nodes_dn: ["${certs.nodeDn}"]`,
    'plugins.security.restapi.roles_enabled: ["all_access"]',
    'plugins.security.audit.type: noop',
  ];
}

function client(
  url: string,
  certs: TestCertificates,
  auth?: { username: string; password: string },
) {
  return new Client({
    node: url,
    auth,
    requestTimeout: 30_000,
    ssl: {
      ca: fs.readFileSync(certs.ca),
      ...(auth
        ? {}
        : { cert: fs.readFileSync(certs.adminCert), key: fs.readFileSync(certs.adminKey) }),
    },
  });
}

async function securityInitialized(admin: Client): Promise<boolean> {
  try {
    const { body } = await admin.transport.request({
      method: 'GET',
      path: '/_plugins/_security/api/roles/all_access',
    });
    return !!(body as Record<string, unknown>).all_access;
  } catch {
    return false;
  }
}

/**
 * Starts a throwaway single node with the security plugin (TLS on HTTP and transport, no
 * demo users) in its own directory and port. Bounded: gives up after 180 s.
 */
export async function startSecuredOpenSearch(): Promise<SecuredNode> {
  const jdk = java21();
  const workDir = fs.mkdtempSync('/var/tmp/auditlog-secured-');
  fs.chmodSync(workDir, 0o755);
  let pid: number | undefined;
  let launcherPid: number | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    stopped = true;
    pid = readPidFile(nodeLayout(workDir, VERSION).pidFile) ?? pid;
    if (pid) await terminateProcess(pid, OPENSEARCH_PROCESS_MARKER, 20_000);
    // A launch that never wrote its pid file: end the launcher's whole process group.
    else if (launcherPid) sendSignal(-launcherPid, 'SIGKILL');
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  stopPending = stop;
  try {
    const home = await secureDistribution(workDir, jdk);
    const layout = nodeLayout(workDir, VERSION);
    const certs = await createTestCertificates(path.join(layout.nodeDir, 'certs'));
    const httpPort = await findFreePort(9230);
    const transportPort = await findFreePort(9330, [httpPort]);
    writeNodeConfig(layout, {
      distributionHome: home,
      httpPort,
      transportPort,
      ismAvailable: false,
      extraSettings: securitySettings(certs),
    });
    const securityConfigDir = path.join(layout.configDir, 'opensearch-security');
    fs.cpSync(path.join(home, 'plugins', 'opensearch-security', 'config'), securityConfigDir, {
      recursive: true,
    });
    // No demo users: the admin certificate bootstraps everything.
    fs.writeFileSync(
      path.join(securityConfigDir, 'internal_users.yml'),
      '_meta:\n  type: "internalusers"\n  config_version: 2\n',
    );
    const asSystemUser = isRoot();
    if (asSystemUser) {
      await ensureSystemUser(OPENSEARCH_SYSTEM_USER, log);
      await chownRecursive(OPENSEARCH_SYSTEM_USER, layout.nodeDir);
    }
    const script = path.join(home, 'bin', 'opensearch');
    const [command, args] = asSystemUser
      ? ['runuser', ['-u', OPENSEARCH_SYSTEM_USER, '--', script, '-p', layout.pidFile]]
      : [script, ['-p', layout.pidFile]];
    const output = fs.openSync(layout.consoleLog, 'w');
    const launcher = spawn(command, args, {
      cwd: home,
      detached: true,
      stdio: ['ignore', output, output],
      env: {
        ...process.env,
        JAVA_HOME: jdk.home,
        OPENSEARCH_JAVA_HOME: jdk.home,
        OPENSEARCH_HOME: home,
        OPENSEARCH_PATH_CONF: layout.configDir,
        OPENSEARCH_JAVA_OPTS: heapOptions('512m'),
      },
    });
    fs.closeSync(output);
    launcher.unref();
    launcherPid = launcher.pid;

    const url = `https://127.0.0.1:${httpPort}`;
    const admin = client(url, certs);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      pid = readPidFile(layout.pidFile) ?? pid;
      if (pid && (await securityInitialized(admin))) break;
      const died = pid !== undefined && !isProcessRunning(pid, OPENSEARCH_PROCESS_MARKER);
      if (stopped) throw new Error('secured OpenSearch start was aborted');
      if (died || Date.now() > deadline) {
        const tail = tailFile(layout.consoleLog, 30).join('\n');
        throw new Error(
          `secured OpenSearch did not come up (${died ? 'exited' : 'timeout'}):\n${tail}`,
        );
      }
      await sleep(1000);
    }
    await admin.close();
    stopPending = undefined;
    log(`started ${VERSION} with the security plugin at ${url} (pid ${pid})`);
    return {
      url,
      certificates: certs,
      adminClient: () => client(url, certs),
      userClient: (username, password) => client(url, certs, { username, password }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
