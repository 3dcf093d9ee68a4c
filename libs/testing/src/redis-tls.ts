import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { findExecutable } from '../../../scripts/services/processes';
import { freePort } from './process';

const HOST = '127.0.0.1';

export interface TlsRedis {
  /** `rediss://127.0.0.1:<port>`, without credentials. */
  url: string;
  port: number;
  /** The password `requirepass` asks for. */
  password: string;
  /** PEM file of the CA that signed the server's certificate (REDIS_TLS_CA). */
  caFile: string;
  /** PEM file of a CA that signed nothing here: a client trusting only it must refuse. */
  otherCaFile: string;
  /** SIGTERM, waiting for the exit; removes the certificates. */
  stop(): Promise<void>;
}

/**
 * Makes a CA and a server certificate for 127.0.0.1 and localhost, signed by it, with
 * `openssl` in `dir`; and a second CA that signed nothing. Keys are EC P-256 (fast to make).
 */
function makeCertificates(dir: string): { ca: string; otherCa: string; cert: string; key: string } {
  const openssl = findExecutable('openssl');
  if (!openssl) throw new Error('openssl is not installed');
  const file = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync(openssl, args, { stdio: 'pipe' });
  const newCa = (name: string) => {
    run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(`${name}.key`));
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      file(`${name}.key`),
      '-sha256',
      '-days',
      '1',
      '-subj',
      `/CN=auditlog test ${name}`,
      '-out',
      file(`${name}.pem`),
    );
  };
  newCa('ca');
  newCa('other-ca');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('server.key'));
  run(
    'req',
    '-new',
    '-key',
    file('server.key'),
    '-subj',
    '/CN=localhost',
    '-out',
    file('server.csr'),
  );
  writeFileSync(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-sha256',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  );
  return {
    ca: file('ca.pem'),
    otherCa: file('other-ca.pem'),
    cert: file('server.pem'),
    key: file('server.key'),
  };
}

/** Whether a TLS handshake trusting `ca` succeeds and the server answers a command at all. */
function tlsAnswers(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port, ca, servername: 'localhost' });
    const finish = (value: boolean): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('secureConnect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH with requirepass: either way a Redis answered over TLS.
    socket.on('data', () => finish(true));
  });
}

/**
 * A redis-server of the test's own that speaks only TLS (`--port 0 --tls-port <free port>`),
 * with a certificate from a CA made for the test, a password, and no persistence; clients
 * need no certificate of their own (`--tls-auth-clients no`). Answering when returned.
 */
export async function startTlsRedis(): Promise<TlsRedis> {
  const binary = findExecutable('redis-server');
  if (!binary) throw new Error('redis-server is not installed (npm run services:up installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-redis-tls-'));
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const server = child;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const files = makeCertificates(dir);
    const port = await freePort();
    const password = 'tls-redis-secret';
    const server = spawn(
      binary,
      [
        '--bind',
        HOST,
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        files.cert,
        '--tls-key-file',
        files.key,
        '--tls-ca-cert-file',
        files.ca,
        '--tls-auth-clients',
        'no',
        '--requirepass',
        password,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    child = server;
    const ca = readFileSync(files.ca);
    const deadline = Date.now() + 15_000;
    while (!(await tlsAnswers(port, ca))) {
      if (server.exitCode !== null)
        throw new Error(`redis-server (TLS) exited with ${server.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer TLS on ${port}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    return {
      url: `rediss://${HOST}:${port}`,
      port,
      password,
      caFile: files.ca,
      otherCaFile: files.otherCa,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
