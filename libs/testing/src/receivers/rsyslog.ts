import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../opensearch';
import { freePort } from '../process';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

export interface RsyslogOptions {
  /** Listen with TLS (gtls driver, a self-signed certificate for 127.0.0.1 and localhost). */
  tls?: boolean;
}

export interface Rsyslog {
  port: number;
  /** The file rsyslog writes each received message to, one `%rawmsg%` per line. */
  file: string;
  /** PEM of the self-signed certificate to trust (TLS only, else empty). */
  ca: string;
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
    `input(type="imtcp" address="127.0.0.1" port="${port}" SupportOctetCountedFraming="on")`,
    'template(name="raw" type="string" string="%rawmsg%\\n")',
    `action(type="omfile" file="${file}" template="raw" asyncWriting="off" flushOnTXEnd="on")`,
    '',
  ].join('\n');
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
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
  const port = await freePort();
  const file = join(dir, 'received.log');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, config(dir, port, file, tls));
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    const started = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    try {
      await waitFor(async () => started.exitCode === null && (await listening(port)), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    } catch {
      started.kill('SIGKILL');
      throw new Error(`rsyslogd did not listen on ${port}: ${output}`);
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
    port,
    file,
    ca: tls ? readFileSync(tls.cert, 'utf8') : '',
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
