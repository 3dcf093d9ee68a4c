import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { readJsonFile, writeJsonFile } from './json-files';
import { type Log, redactUrl } from './log';
import { isRoot, type ServicePaths } from './paths';
import {
  failureDetails,
  findExecutable,
  readPidFile,
  runCommand,
  sleep,
  terminateProcess,
} from './processes';

export interface RedisEndpoint {
  url: string;
  outcome: 'started' | 'reused' | 'external';
}

/** Present only for a redis-server these scripts started, so `down` never stops someone else's. */
interface RedisState {
  pid: number;
  port: number;
  url: string;
  startedAt: string;
}

type PingResult = 'pong' | 'needs-auth' | 'no-answer';

const HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;
const REDIS_PROCESS_MARKER = 'redis-server';

function redisPort(): number {
  const value = process.env.AUDITLOG_REDIS_PORT;
  if (!value) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`AUDITLOG_REDIS_PORT must be a TCP port number, got "${value}"`);
  }
  return port;
}

/** Speaks just enough RESP to tell whether a Redis answers on host:port. */
export function pingRedis(host: string, port: number, timeoutMs = 1_000): Promise<PingResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const finish = (result: PingResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish('no-answer'));
    socket.on('error', () => finish('no-answer'));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.includes('\r\n')) return;
      if (reply.startsWith('+PONG')) finish('pong');
      else if (reply.startsWith('-NOAUTH')) finish('needs-auth');
      else finish('no-answer');
    });
  });
}

async function aptGetInstall(packageName: string, log: Log): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    runCommand('apt-get', ['install', '-y', '--no-install-recommends', packageName], { env });
  log(`redis: installing ${packageName} with apt-get`);
  let result = await install();
  if (result.code !== 0) {
    // Typically a fresh image without package lists.
    await runCommand('apt-get', ['update'], { env });
    result = await install();
  }
  if (result.code !== 0) {
    throw new Error(`apt-get install ${packageName} failed:\n${failureDetails(result)}`);
  }
}

async function ensureRedisServerBinary(log: Log): Promise<string> {
  const existing = findExecutable('redis-server');
  if (existing) return existing;
  if (!isRoot()) {
    throw new Error(
      'redis-server is not installed: install it (e.g. apt-get install redis-server) or set REDIS_URL',
    );
  }
  await aptGetInstall('redis-server', log);
  const installed = findExecutable('redis-server');
  if (!installed) throw new Error('redis-server is still missing after apt-get install');
  return installed;
}

async function waitForPong(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pingRedis(HOST, port)) === 'pong') return true;
    await sleep(200);
  }
  return false;
}

async function startRedisServer(
  paths: ServicePaths,
  binary: string,
  port: number,
): Promise<RedisState> {
  fs.mkdirSync(paths.redisDir, { recursive: true });
  const pidFile = path.join(paths.redisDir, `redis-${port}.pid`);
  const logFile = path.join(paths.redisDir, `redis-${port}.log`);
  fs.rmSync(pidFile, { force: true });
  const result = await runCommand(binary, [
    '--daemonize',
    'yes',
    '--bind',
    HOST,
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    paths.redisDir,
    '--pidfile',
    pidFile,
    '--logfile',
    logFile,
  ]);
  if (result.code !== 0)
    throw new Error(`redis-server failed to start:\n${failureDetails(result)}`);
  if (!(await waitForPong(port, 15_000))) {
    throw new Error(`redis-server did not answer PING on ${HOST}:${port}; see ${logFile}`);
  }
  const pid = readPidFile(pidFile);
  if (!pid) throw new Error(`redis-server wrote no pid file at ${pidFile}`);
  return { pid, port, url: `redis://${HOST}:${port}`, startedAt: new Date().toISOString() };
}

/** Uses REDIS_URL, or a Redis already answering locally, or starts one. Caller holds the lock. */
export async function provisionRedis(paths: ServicePaths, log: Log): Promise<RedisEndpoint> {
  if (process.env.REDIS_URL) {
    log(`redis: external ${redactUrl(process.env.REDIS_URL)}`);
    return { url: process.env.REDIS_URL, outcome: 'external' };
  }
  const port = redisPort();
  const url = `redis://${HOST}:${port}`;
  const checkExisting = async (): Promise<RedisEndpoint | undefined> => {
    const ping = await pingRedis(HOST, port);
    if (ping === 'needs-auth') {
      throw new Error(`the Redis on ${HOST}:${port} requires a password: set REDIS_URL to use it`);
    }
    if (ping !== 'pong') return undefined;
    log(`redis: reused ${url}`);
    return { url, outcome: 'reused' };
  };

  const existing = await checkExisting();
  if (existing) return existing;
  const binary = await ensureRedisServerBinary(log);
  // Installing the package may have started the distribution's own service.
  const startedByInstall = await checkExisting();
  if (startedByInstall) return startedByInstall;

  const state = await startRedisServer(paths, binary, port);
  writeJsonFile(paths.redisStateFile, state);
  log(`redis: started ${url} (pid ${state.pid})`);
  return { url, outcome: 'started' };
}

/** Stops the redis-server these scripts started; leaves any other Redis alone. */
export async function shutdownRedis(paths: ServicePaths, log: Log): Promise<void> {
  if (process.env.REDIS_URL) {
    log('redis: external (REDIS_URL), nothing to stop');
    return;
  }
  const state = readJsonFile<RedisState>(paths.redisStateFile);
  if (state && (await terminateProcess(state.pid, REDIS_PROCESS_MARKER, 10_000))) {
    log(`redis: stopped ${state.url} (pid ${state.pid})`);
  } else {
    log('redis: nothing to stop (no redis-server started by these scripts is running)');
  }
  fs.rmSync(paths.redisStateFile, { force: true });
}

/** Human-readable lines for `status`. */
export async function describeRedis(paths: ServicePaths): Promise<string[]> {
  if (process.env.REDIS_URL) return [`redis: external ${redactUrl(process.env.REDIS_URL)}`];
  const port = redisPort();
  const ping = await pingRedis(HOST, port);
  const state = readJsonFile<RedisState>(paths.redisStateFile);
  const owner =
    state && state.port === port
      ? `started by these scripts, pid ${state.pid}`
      : 'not started by these scripts';
  const answer = {
    pong: 'answering',
    'needs-auth': 'answering, requires a password',
    'no-answer': 'NOT answering',
  }[ping];
  return [`redis: redis://${HOST}:${port} ${answer} (${owner})`];
}
