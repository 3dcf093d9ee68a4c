import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppProcess, startProcess } from '@auditlog/testing';

/**
 * The built ingest app as an operator runs it (`info` logs, production mode), writing
 * under `prefix` and taking `secret` as its one ingest key; its log goes to a temporary
 * file named after `logName`. `env` adds to or overrides its environment.
 */
export function startBenchIngest(options: {
  prefix: string;
  secret: string;
  logName: string;
  nodeArgs?: readonly string[];
  env?: Record<string, string>;
}): Promise<AppProcess> {
  return startProcess(
    'ingest',
    {
      OPENSEARCH_URL: process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      OPENSEARCH_INDEX_PREFIX: options.prefix,
      INGEST_API_KEYS: `bench:${createHash('sha256').update(options.secret).digest('hex')}:*`,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...options.env,
    },
    {
      logFile: join(tmpdir(), `bench-${options.logName}.log`),
      nodeArgs: [...(options.nodeArgs ?? [])],
    },
  );
}

/** `--node-args="--a --b"` as a list. */
export function nodeArgsOf(text: string | undefined): string[] {
  return text?.split(' ').filter((arg) => arg !== '') ?? [];
}
