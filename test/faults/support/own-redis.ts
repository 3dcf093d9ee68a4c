import { type ChildProcess, spawn } from 'node:child_process';
import { pingRedis } from '../../../scripts/services/redis';
import { findExecutable } from '../../../scripts/services/processes';

const HOST = '127.0.0.1';

export interface OwnRedis {
  url: string;
  answers(): Promise<boolean>;
  /** SIGKILL: no shutdown, no save. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port and waits for PONG. */
  start(): Promise<void>;
}

/** A throw-away redis-server of this suite's own (no persistence), never the shared one. */
export function ownRedis(port: number): OwnRedis {
  const binary = findExecutable('redis-server');
  if (!binary) throw new Error('redis-server is not installed (npm run services:up installs it)');
  let child: ChildProcess | undefined;
  const answers = async () => (await pingRedis(HOST, port)) === 'pong';
  return {
    url: `redis://${HOST}:${port}`,
    answers,
    async start() {
      if (await answers()) throw new Error(`something already answers on ${HOST}:${port}`);
      const server = spawn(
        binary,
        ['--bind', HOST, '--port', String(port), '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      child = server;
      const deadline = Date.now() + 15_000;
      while (!(await answers())) {
        if (server.exitCode !== null)
          throw new Error(`redis-server exited with ${server.exitCode}`);
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    },
    async kill() {
      const server = child;
      if (!server || server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGKILL');
      await exited;
    },
  };
}
