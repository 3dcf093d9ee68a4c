import type { Client } from '@opensearch-project/opensearch';
import type { StoredEvent } from '@auditlog/events';
import { eventDocumentId, IndexNames } from '@auditlog/opensearch';
import { firstOf, itemAt } from '@auditlog/testing';

const DAY = 86_400_000;
const ACTIONS = [
  'flow.created',
  'flow.updated',
  'flow.deleted',
  'flow.executed',
  'auth.login',
  'auth.logout',
  'auth.failed',
  'project.created',
  'project.updated',
  'environment.created',
  'environment.deployed',
  'service.deployed',
  'service.scaled',
  'secret.read',
  'secret.rotated',
  'agent.action',
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'member.invited',
  'member.removed',
];
const WORDS = [
  'deploy',
  'payment',
  'service',
  'rollback',
  'production',
  'staging',
  'billing',
  'api',
  'gateway',
  'database',
  'migration',
  'secret',
  'token',
  'scale',
  'replica',
  'approval',
  'incident',
  'agent',
];
const TOOLS = ['console', 'api', 'terraform', 'git', 'cli', 'sso'];

/** Deterministic pseudo-random numbers so every run builds the same data set. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Event `index` of the data set: 40 % belong to `acme`, the rest to 20 other companies. */
export function benchEvent(index: number, now: number, days: number): StoredEvent {
  const next = random(index + 1);
  const pick = <T>(list: readonly T[]): T => itemAt(list, Math.floor(next() * list.length));
  const company = next() < 0.4 ? 'acme' : `company-${Math.floor(next() * 20)}`;
  const timestamp = new Date(now - Math.floor(next() * days * DAY)).toISOString();
  const action = pick(ACTIONS);
  const user = Math.floor(next() * 500);
  const project = Math.floor(next() * 30);
  const environment = Math.floor(next() * 5);
  const id = `b-${String(index).padStart(8, '0')}`;
  return {
    id,
    timestamp,
    received_at: timestamp,
    company_id: company,
    action,
    category: firstOf(action.split('.')),
    operation: 'other',
    actor: {
      id: `user-${user}`,
      type: 'user',
      name: `User ${user}`,
      email: `user-${user}@${company}.example`,
    },
    target: {
      type: 'environment',
      id: `env-${project}-${environment}`,
      name: `${pick(WORDS)} ${environment}`,
      ancestors: [{ type: 'project', id: `p-${project}`, name: `Project ${project}` }],
    },
    scope: [`project:p-${project}`, `environment:env-${project}-${environment}`],
    outcome: next() < 0.1 ? 'failure' : 'success',
    source: { tool: pick(TOOLS), ip: `10.${user % 250}.${project}.${environment + 1}` },
    context: { task_id: `task-${Math.floor(next() * 100_000)}` },
    description: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} by user ${user}`,
    schema_version: 1,
    hash: '0'.repeat(64),
    ingest: { key_id: 'bench' },
  };
}

/** Bulk-loads `count` events under the prefix, 5,000 per request, two requests in flight. */
export async function loadDataset(
  client: Client,
  prefix: string,
  count: number,
  days: number,
  now: number,
  log: (line: string) => void,
): Promise<void> {
  const names = new IndexNames(prefix);
  const batch = 5000;
  let loaded = 0;
  const started = Date.now();
  const send = async (start: number) => {
    const body: unknown[] = [];
    for (let index = start; index < Math.min(start + batch, count); index++) {
      const event = benchEvent(index, now, days);
      body.push(
        {
          index: {
            _index: names.eventsIndex('90d', event.timestamp),
            _id: eventDocumentId(event.company_id, event.id),
          },
        },
        event,
      );
    }
    const { body: result } = await client.bulk({ body: body as Record<string, unknown>[] });
    if (result.errors)
      throw new Error(
        `bulk load failed: ${JSON.stringify(result.items.find((item: { index?: { error?: unknown } }) => item.index?.error))}`,
      );
    loaded += body.length / 2;
    if (loaded % 100_000 < batch)
      log(
        `loaded ${loaded}/${count} events (${Math.round(loaded / ((Date.now() - started) / 1000))}/s)`,
      );
  };
  const starts = Array.from({ length: Math.ceil(count / batch) }, (_, index) => index * batch);
  const workers = [0, 1].map(async () => {
    for (let start = starts.shift(); start !== undefined; start = starts.shift()) await send(start);
  });
  await Promise.all(workers);
  await client.indices.refresh({ index: `${prefix}-events-*` });
}

/**
 * Loads the data set unless the prefix already holds that many events (a re-run reuses
 * them); answers the "now" the queries should be relative to.
 */
export async function ensureDataset(
  client: Client,
  prefix: string,
  count: number,
  days: number,
  log: (line: string) => void,
): Promise<number> {
  const existing = await client.count({
    index: `${prefix}-events-*`,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  const now = Date.now();
  if (existing.body.count < count) {
    const started = performance.now();
    await loadDataset(client, prefix, count, days, now, log);
    log(`loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  return now;
}
