import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../opensearch';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

export interface RsyslogOptions {
  /** Listen with TLS (gtls driver, a self-signed certificate for 127.0.0.1 and localhost). */
  tls?: boolean;
}

export interface Rsyslog {
  /** The listening port (the same after `restart`). */
  readonly port: number;
  /** The file rsyslog writes each received message to, one `%rawmsg%` per line. */
  file: string;
  /** PEM of the self-signed certificate to trust (TLS only, else empty). */
  ca: string;
  /** rsyslogd's own output since it last started. */
  output(): string;
  /** The lines written so far. */
  lines(): string[];
  /** Resolves with the lines once there are at least `count`. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  /** Stops rsyslogd (SIGTERM: it writes what it holds) and removes its directory. */
  stop(): Promise<void>;
  /** Kills rsyslogd at once, keeping its directory (a restart can reuse `port` and `file`). */
  kill(): Promise<void>;
  /** Starts rsyslogd again on the same port and file after `kill`. */
  restart(): Promise<void>;
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function config(
  dir: string,
  port: number,
  portFile: string,
  file: string,
  tls: { cert: string; key: string } | undefined,
): string {
  const globals = [
    `workDirectory="${join(dir, 'work')}"`,
    'maxMessageSize="1m"',
    ...(tls
      ? [
          'defaultNetstreamDriver="gtls"',
          `defaultNetstreamDriverCAFile="${tls.cert}"`,
          `defaultNetstreamDriverCertFile="${tls.cert}"`,
          `defaultNetstreamDriverKeyFile="${tls.key}"`,
        ]
      : []),
  ];
  const driver = tls
    ? ' StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon"'
    : '';
  return [
    `global(${globals.join(' ')})`,
    `module(load="imtcp"${driver})`,
    `input(type="imtcp" address="127.0.0.1" port="${port}" listenPortFileName="${portFile}" SupportOctetCountedFraming="on")`,
    'template(name="raw" type="string" string="%rawmsg%\\n")',
    `action(type="omfile" file="${file}" template="raw" asyncWriting="off" flushOnTXEnd="on")`,
    '',
  ].join('\n');
}

/**
 * Whether process `pid` itself holds a socket listening on 127.0.0.1:`port` (from
 * /proc/net/tcp and the process's descriptors), so a restart that could not bind is not
 * mistaken for one that did because another process took the port meanwhile.
 */
function listensOn(pid: number, port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === '0A')
    .map((fields) => `socket:[${fields[9]}]`);
  if (inodes.length === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.includes(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Debian's real rsyslogd as a syslog receiver: in the foreground with its own config,
 * pid file and work directory under a temporary directory, imtcp on a free loopback port
 * with octet-counted framing, TLS through the gtls driver when asked, every message's raw
 * text appended to a file.
 */
export async function startRsyslog(options: RsyslogOptions = {}): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'rsyslog-'));
  mkdirSync(join(dir, 'work'));
  const tls = options.tls ? selfSignedCertificate(dir) : undefined;
  const file = join(dir, 'received.log');
  const conf = join(dir, 'rsyslog.conf');
  const portFile = join(dir, 'port');
  let port = 0;
  let child: ChildProcess | undefined;
  let output = '';

  // The first start binds any free port (0) and rsyslogd names it in the port file; a
  // restart binds the same one, and is ready once this rsyslogd holds the listener.
  const launch = async (): Promise<void> => {
    output = '';
    rmSync(portFile, { force: true });
    writeFileSync(conf, config(dir, port, portFile, file, tls));
    const started = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    try {
      const bound = await waitFor(
        () => {
          if (started.exitCode !== null) throw new Error('rsyslogd exited');
          if (port !== 0) return Promise.resolve(listensOn(started.pid ?? 0, port) && port);
          const named = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0;
          return Promise.resolve(named > 0 ? named : undefined);
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      port = bound;
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(`rsyslogd did not start: ${output}`, { cause: error });
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  };
  const lines = (): string[] => {
    try {
      return readFileSync(file, 'utf8').split('\n').slice(0, -1);
    } catch {
      return [];
    }
  };

  await launch();
  return {
    get port() {
      return port;
    },
    file,
    ca: tls ? readFileSync(tls.cert, 'utf8') : '',
    output: () => output,
    lines,
    waitForLines: (count, timeoutMs = 10_000) =>
      waitFor(
        () => {
          const current = lines();
          return Promise.resolve(current.length >= count ? current : undefined);
        },
        { timeoutMs, intervalMs: 50 },
      ),
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
    restart: launch,
  };
}
