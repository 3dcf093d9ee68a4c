import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@opensearch-project/opensearch';
import type { OpenSearchConfig } from '@auditlog/config';

export const OPENSEARCH_CLIENT = Symbol('OPENSEARCH_CLIENT');

export function createOpenSearchClient(
  config: Omit<OpenSearchConfig, 'indexPrefix' | 'shards' | 'replicas' | 'writeCopies'>,
): Client {
  const options: ClientOptions = {
    // Several nodes: requests go round the live ones; a node that fails is left out until
    // it answers a ping again.
    nodes: config.nodes,
    requestTimeout: 30_000,
    // Retries are decided per request by the callers, which know whether a retry is safe.
    maxRetries: 0,
  };
  if (config.username) {
    options.auth = { username: config.username, password: config.password ?? '' };
  }
  if (config.nodes.some((node) => node.startsWith('https:'))) {
    options.ssl = {
      ca: config.caFile ? readFileSync(config.caFile) : undefined,
      cert: config.certFile ? readFileSync(config.certFile) : undefined,
      key: config.keyFile ? readFileSync(config.keyFile) : undefined,
      rejectUnauthorized: !config.tlsInsecure,
    };
  }
  return new Client(options);
}
