import { validateSync } from 'class-validator';
import type { AuditEvent, ObjectRef, StoredEvent } from './audit-event';
import { SCHEMA_VERSION } from './audit-event';
import { eventHash } from './event-hash';
import { generateEventId } from './event-id';
import type { FieldProblem } from './field-problem';
import { type EventInputDto, toEventInputDto } from './validation/event.dto';
import { EVENT_LIMITS } from './validation/event-limits';
import { findHostileInput } from './validation/hostile-input';
import { parseIsoDateTime } from './validation/iso-date-time';
import { validationProblems } from './validation/validation-problems';

export type { FieldProblem } from './field-problem';

export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface IngestContext {
  keyId: string;
  clientIp?: string;
  /** Set when the key may write for exactly one company: it is then the default. */
  boundCompanyId?: string;
  now: Date;
  /** How far in the future a timestamp may lie; default five minutes. */
  maxFutureSkewMs?: number;
}

export type NormalizeResult =
  { ok: true; event: StoredEvent } | { ok: false; errors: FieldProblem[] };

const TOP_LEVEL_FIELDS = [
  'id',
  'timestamp',
  'company_id',
  'action',
  'category',
  'operation',
  'actor',
  'target',
  'outcome',
  'reason',
  'source',
  'context',
  'description',
  'changes',
  'details',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, message: string): NormalizeResult {
  return { ok: false, errors: [{ path, message }] };
}

/** `type:id` of every ancestor and of the target, for "everything under this object". */
export function eventScope(target: AuditEvent['target']): string[] | undefined {
  if (!target) return undefined;
  const refs: ObjectRef[] = [...(target.ancestors ?? []), target];
  const scope = refs
    .filter((ref) => ref.type !== undefined && ref.id !== undefined)
    .map((ref) => `${ref.type}:${ref.id}`);
  return scope.length > 0 ? scope : undefined;
}

function checkServerRules(
  input: EventInputDto,
  context: IngestContext,
  errors: FieldProblem[],
): { companyId?: string; timestamp?: Date } {
  const companyId = input.company_id ?? context.boundCompanyId;
  if (companyId === undefined) {
    errors.push({
      path: 'company_id',
      message: 'company_id is required (the ingest key is not bound to exactly one company)',
    });
  }
  if (input.timestamp === undefined) {
    if (input.id !== undefined) {
      errors.push({
        path: 'timestamp',
        message:
          'timestamp is required when id is given, so that a retry is stored in the same place',
      });
    }
    return { companyId, timestamp: context.now };
  }
  const timestamp =
    typeof input.timestamp === 'string' ? parseIsoDateTime(input.timestamp) : undefined;
  const skew = context.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  if (timestamp && timestamp.getTime() > context.now.getTime() + skew) {
    errors.push({
      path: 'timestamp',
      message: `timestamp is more than ${Math.round(skew / 1000)} seconds in the future`,
    });
  }
  return { companyId, timestamp };
}

/**
 * Validates a producer's event (SPEC §3) and turns it into the stored form with server
 * fields. Pure: the caller supplies the clock and the ingest key context.
 */
export function normalizeEvent(input: unknown, context: IngestContext): NormalizeResult {
  if (!isRecord(input)) return fail('', 'the event must be a JSON object');
  const hostile = findHostileInput(input);
  if (hostile.length > 0) return { ok: false, errors: hostile };
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > EVENT_LIMITS.eventBytes) {
    return fail('', `the event is ${bytes} bytes; at most ${EVENT_LIMITS.eventBytes} are allowed`);
  }

  const dto = toEventInputDto(input);
  const errors = validationProblems(
    validateSync(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: false, value: false },
    }),
    TOP_LEVEL_FIELDS,
  );
  const fields = input as unknown as EventInputDto;
  const { companyId, timestamp } = checkServerRules(fields, context, errors);
  if (errors.length > 0 || companyId === undefined || timestamp === undefined) {
    return { ok: false, errors };
  }

  const { actor, target, outcome, category, timestamp: _ts, id, company_id: _c, ...rest } = fields;
  const event: Omit<AuditEvent, 'hash'> = {
    ...(rest as Omit<AuditEvent, 'hash' | 'actor'>),
    id: id ?? generateEventId(context.now.getTime()),
    timestamp: timestamp.toISOString(),
    received_at: context.now.toISOString(),
    company_id: companyId,
    category: category ?? fields.action.slice(0, fields.action.indexOf('.')),
    actor: { ...actor, type: (actor.type ?? 'user') as AuditEvent['actor']['type'] },
    ...(target ? { target: target } : {}),
    outcome: (outcome ?? 'success') as AuditEvent['outcome'],
    schema_version: SCHEMA_VERSION,
  };
  const scope = eventScope(event.target);
  return {
    ok: true,
    event: {
      ...event,
      hash: eventHash(event),
      ...(scope ? { scope } : {}),
      ingest: {
        key_id: context.keyId,
        ...(context.clientIp ? { client_ip: context.clientIp } : {}),
      },
    },
  };
}
