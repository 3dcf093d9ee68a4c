import { isIP } from 'node:net';
import type { AuditEvent, Operation } from '@auditlog/events';

/** The ECS version the documents follow. */
export const ECS_VERSION = '8.11.0';

/** ECS `event.category` allowed values; an event category outside them is not copied there. */
const ECS_CATEGORIES = new Set([
  'api',
  'authentication',
  'configuration',
  'database',
  'driver',
  'email',
  'file',
  'host',
  'iam',
  'intrusion_detection',
  'library',
  'malware',
  'network',
  'package',
  'process',
  'registry',
  'session',
  'threat',
  'vulnerability',
  'web',
]);

const ECS_TYPE: Record<Operation, string> = {
  create: 'creation',
  read: 'access',
  update: 'change',
  delete: 'deletion',
  execute: 'info',
  login: 'start',
  logout: 'end',
  other: 'info',
};

function ecsCategory(event: AuditEvent): string[] | undefined {
  if (ECS_CATEGORIES.has(event.category)) return [event.category];
  if (event.operation === 'login' || event.operation === 'logout') return ['authentication'];
  return undefined;
}

/**
 * The event under `auditlog`, with the producer-shaped fields (`details`, `changes`'
 * before/after values) as JSON strings: their types vary from event to event, and a
 * destination index mapping them dynamically would refuse the first event whose type
 * differs (ADR 0122).
 */
function namespaced(event: AuditEvent): Record<string, unknown> {
  const { details, changes, ...rest } = event;
  return {
    ...rest,
    ...(details === undefined ? {} : { details: JSON.stringify(details) }),
    ...(changes === undefined ? {} : { changes: JSON.stringify(changes) }),
  };
}

export interface EcsObserver {
  hostname: string;
  version: string;
}

/** The `_bulk` document: ECS field names, and the whole event under `auditlog`. */
export function ecsDocument(event: AuditEvent, observer: EcsObserver): Record<string, unknown> {
  const category = ecsCategory(event);
  const ip = event.source?.ip;
  const { actor } = event;
  return {
    '@timestamp': event.timestamp,
    message: event.description ?? event.action,
    ecs: { version: ECS_VERSION },
    event: {
      id: event.id,
      kind: 'event',
      action: event.action,
      ...(category ? { category } : {}),
      ...(event.operation ? { type: [ECS_TYPE[event.operation]] } : {}),
      outcome: event.outcome,
      ...(event.reason ? { reason: event.reason } : {}),
      created: event.received_at,
      dataset: 'auditlog.event',
      module: 'auditlog',
      provider: 'auditlog',
    },
    user: {
      id: actor.id,
      ...(actor.name ? { name: actor.name } : {}),
      ...(actor.email ? { email: actor.email } : {}),
    },
    organization: { id: event.company_id },
    ...(ip && isIP(ip) ? { source: { ip } } : {}),
    ...(event.source?.user_agent ? { user_agent: { original: event.source.user_agent } } : {}),
    observer: {
      vendor: 'Auditlog',
      product: 'Audit Log Appliance',
      type: 'audit',
      hostname: observer.hostname,
      version: observer.version,
    },
    auditlog: namespaced(event),
  };
}

/** The document id: the same event always lands on the same document. */
export function bulkDocumentId(event: AuditEvent): string {
  return `${event.company_id}:${event.id}`;
}

/**
 * An index template for the destination cluster (OpenSearch or Elasticsearch) for indices
 * that do not already get ECS mappings (Elastic's `logs-*-*` data streams do): dates, the
 * address and free text typed, every other string a keyword.
 */
export function ecsIndexTemplate(indexPatterns: string[]): Record<string, unknown> {
  const text = { type: 'text' };
  const date = { type: 'date' };
  return {
    index_patterns: indexPatterns,
    template: {
      mappings: {
        dynamic_templates: [
          {
            strings_as_keywords: {
              match_mapping_type: 'string',
              mapping: { type: 'keyword', ignore_above: 1024 },
            },
          },
        ],
        properties: {
          '@timestamp': date,
          message: text,
          event: { properties: { created: date } },
          source: { properties: { ip: { type: 'ip' } } },
          auditlog: {
            properties: {
              timestamp: date,
              received_at: date,
              description: text,
              details: text,
              changes: text,
            },
          },
        },
      },
    },
  };
}
