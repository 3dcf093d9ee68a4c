import type { AuditEvent, ObjectRef, StoredEvent } from './audit-event';
import { SCHEMA_VERSION } from './audit-event';
import { canonicalJson } from './canonical-json';
import { hashOfCanonical } from './event-hash';
import { generateEventId } from './event-id';
import type { FieldProblem } from './field-problem';
import { type EventInputDto, eventDtoProblems } from './validation/event.dto';
import { EVENT_LIMITS } from './validation/event-limits';
import { isValidEventShape } from './validation/event-schema';
import {
  findHostileInput,
  hasSafeStructure,
  mayHoldLoneSurrogate,
} from './validation/hostile-input';
import { parseIsoDateTime } from './validation/iso-date-time';

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
  | {
      ok: true;
      event: StoredEvent;
      /**
       * `event` serialised as JSON for storage: its canonical form (the hashed text) with
       * `hash`, `scope` and `ingest` appended, so each event is serialised once.
       */
      source: string;
    }
  | { ok: false; errors: FieldProblem[] };

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
  // Hot path: one structural walk and one serialisation decide that nothing is hostile;
  // when they cannot, findHostileInput decides and words the problems.
  let text = hasSafeStructure(input) ? JSON.stringify(input) : undefined;
  if (text === undefined || mayHoldLoneSurrogate(text)) {
    const hostile = findHostileInput(input);
    if (hostile.length > 0) return { ok: false, errors: hostile };
    text ??= JSON.stringify(input);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > EVENT_LIMITS.eventBytes) {
    return fail('', `the event is ${bytes} bytes; at most ${EVENT_LIMITS.eventBytes} are allowed`);
  }

  // The compiled rules accept a valid event; only an event they do not accept goes through
  // class-validator, which decides and words each field's problem.
  const errors = isValidEventShape(input, bytes) ? [] : eventDtoProblems(input);
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
  const canonical = canonicalJson(event);
  const hash = hashOfCanonical(canonical);
  const scope = eventScope(event.target);
  const ingest = {
    key_id: context.keyId,
    ...(context.clientIp ? { client_ip: context.clientIp } : {}),
  };
  // The canonical text ends with the event's closing brace; none of the appended names
  // can be an event field (unknown fields are refused), so the members stay unique.
  const source =
    `${canonical.slice(0, -1)},"hash":"${hash}"` +
    `${scope ? `,"scope":${JSON.stringify(scope)}` : ''},"ingest":${JSON.stringify(ingest)}}`;
  return {
    ok: true,
    event: { ...event, hash, ...(scope ? { scope } : {}), ingest },
    source,
  };
}
