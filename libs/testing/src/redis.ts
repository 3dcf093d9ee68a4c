import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from '../../../scripts/services/processes';
import { pingRedis } from '../../../scripts/services/redis';
import { freePort } from './process';

const HOST = '127.0.0.1';

export interface ThrowawayRedis {
  url: string;
  port: number;
  answers(): Promise<boolean>;
  /** Starts a fresh, empty server on the port and waits for PONG. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no save. */
  kill(): Promise<void>;
  /** SIGTERM, waiting for the exit. */
  stop(): Promise<void>;
  /** kill, then start an empty server on the same port (a Redis restart that loses data). */
  restart(): Promise<void>;
}

/**
 * A redis-server of the suite's own on the given port, without persistence
 * (`--save "" --appendonly no`): for tests that stop, kill or restart Redis, so that the
 * shared Redis other suites use is never touched. Not started until `start()`.
 * `extraArgs` go to redis-server as well (e.g. `--replicaof host port`).
 */
export function throwawayRedis(port: number, extraArgs: string[] = []): ThrowawayRedis {
  const binary = findExecutable('redis-server');
  if (!binary) throw new Error('redis-server is not installed (npm run services:up installs it)');
  const own = port;
  let child: ChildProcess | undefined;
  const answers = async () => (await pingRedis(HOST, own)) === 'pong';
  const end = async (signal: NodeJS.Signals) => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((done) => server.once('exit', done));
    server.kill(signal);
    await exited;
  };
  const redis: ThrowawayRedis = {
    url: `redis://${HOST}:${own}`,
    port: own,
    answers,
    async start() {
      if (await answers()) throw new Error(`something already answers on ${HOST}:${own}`);
      const server = spawn(
        binary,
        ['--bind', HOST, '--port', String(own), '--save', '', '--appendonly', 'no', ...extraArgs],
        { stdio: 'ignore' },
      );
      child = server;
      const deadline = Date.now() + 15_000;
      while (!(await answers())) {
        if (server.exitCode !== null)
          throw new Error(`redis-server exited with ${server.exitCode}`);
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${own}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    async restart() {
      await end('SIGKILL');
      await redis.start();
    },
  };
  return redis;
}

/** A throwaway Redis on a free (or the given) port, already answering. */
export async function startThrowawayRedis(port?: number): Promise<ThrowawayRedis> {
  const redis = throwawayRedis(port ?? (await freePort()));
  await redis.start();
  return redis;
}

export interface SentinelGroup {
  /** `host:port,…` of the Sentinels, as REDIS_SENTINELS takes it. */
  sentinels: string;
  /** The master name the Sentinels monitor (REDIS_SENTINEL_NAME). */
  name: string;
  /** The data servers: the first starts as master, the second as its replica. */
  servers: ThrowawayRedis[];
  /** The port the Sentinels name as master now (asks a Sentinel that answers). */
  masterPort(): Promise<number | undefined>;
  /** The data server that is master now. */
  master(): Promise<ThrowawayRedis>;
  /** Waits until the Sentinels name a master other than `port`; answers the new port. */
  awaitFailover(fromPort: number, timeoutMs?: number): Promise<number>;
  /** Stops the Sentinels and the servers, and removes their files. */
  stop(): Promise<void>;
}

/** Sends one command (inline RESP) and answers the raw reply, or undefined without one. */
function redisCommand(
  port: number,
  command: string,
  timeoutMs = 1_000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const finish = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => finish(reply || undefined));
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      // A two-element array reply: *2, $len, host, $len, port.
      if (reply.startsWith('*2') && reply.split('\r\n').length >= 6) finish(reply);
      else if (/^[-+:]|^\*-1|^\$-1/.test(reply) && reply.endsWith('\r\n')) finish(reply);
    });
  });
}

/**
 * A master, its replica and three Sentinels (quorum 2) of the suite's own, on free loopback
 * ports, without persistence: for tests that SIGKILL the master and watch the Sentinels
 * promote the replica. The Sentinels declare the master down after 2 s.
 */
export async function startSentinelGroup(name = 'auditlog'): Promise<SentinelGroup> {
  const binary = findExecutable('redis-server');
  if (!binary) throw new Error('redis-server is not installed (npm run services:up installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-sentinel-'));
  // The replica's initial sync writes an RDB file: into the group's dir, not the cwd.
  const master = throwawayRedis(await freePort(), ['--dir', dir]);
  const replica = throwawayRedis(await freePort(), [
    '--dir',
    dir,
    '--replicaof',
    HOST,
    String(master.port),
  ]);
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  const sentinels: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      sentinels.map(async (sentinel) => {
        if (sentinel.exitCode !== null || sentinel.signalCode !== null) return;
        const exited = new Promise((done) => sentinel.once('exit', done));
        sentinel.kill('SIGKILL');
        await exited;
      }),
    );
    await master.kill();
    await replica.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await master.start();
    await replica.start();
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `sentinel monitor ${name} ${HOST} ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 2000`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(spawn(binary, [file, '--sentinel'], { stdio: 'ignore' }));
    }
    const group: SentinelGroup = {
      sentinels: sentinelPorts.map((port) => `${HOST}:${port}`).join(','),
      name,
      servers: [master, replica],
      async masterPort() {
        for (const port of sentinelPorts) {
          const reply = await redisCommand(port, `SENTINEL get-master-addr-by-name ${name}`);
          const lines = reply?.split('\r\n') ?? [];
          if (lines[0] === '*2') return Number(lines[4]);
        }
        return undefined;
      },
      async master() {
        const port = await group.masterPort();
        const server = group.servers.find((candidate) => candidate.port === port);
        if (!server) throw new Error(`the Sentinels name port ${port}, which is none of ours`);
        return server;
      },
      async awaitFailover(fromPort, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const port = await group.masterPort();
          if (port !== undefined && port !== fromPort) return port;
          if (Date.now() > deadline)
            throw new Error(`no failover from ${fromPort} within ${timeoutMs} ms`);
          await new Promise((done) => setTimeout(done, 100));
        }
      },
      stop,
    };
    // Every Sentinel knows the master, and has found the replica through it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const known = await Promise.all(
        sentinelPorts.map((port) => redisCommand(port, `SENTINEL replicas ${name}`, 1_000)),
      );
      if (known.every((reply) => reply?.includes(String(replica.port)))) break;
      if (Date.now() > deadline)
        throw new Error('the Sentinels did not find the replica within 30 s');
      await new Promise((done) => setTimeout(done, 200));
    }
    return group;
  } catch (error) {
    await stop();
    throw error;
  }
}
