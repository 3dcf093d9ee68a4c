import { type ChildProcess, spawn } from 'node:child_process';
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
 */
export function throwawayRedis(port: number): ThrowawayRedis {
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
        ['--bind', HOST, '--port', String(own), '--save', '', '--appendonly', 'no'],
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
