import type { AuditEvent, ObjectRef, StoredEvent } from './audit-event';
import { SCHEMA_VERSION } from './audit-event';
import { canonicalEventJson } from './canonical-event';
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

/** Producer fields stored exactly as sent (the others get defaults or normalisation). */
const COPIED_AS_SENT = [
  'operation',
  'reason',
  'source',
  'context',
  'description',
  'changes',
  'details',
] as const;

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
 *
 * Two paths with one outcome (docs/adr/0012-ingest-hot-path.md): a valid event goes
 * through the compiled rules and is serialised once, its canonical text standing in for
 * the size and Unicode checks; anything else — or anything the fast path cannot vouch
 * for — takes the exact path, which checks in the documented order (hostile input, size,
 * every field through class-validator, server rules) and words each problem.
 */
export function normalizeEvent(input: unknown, context: IngestContext): NormalizeResult {
  if (!isRecord(input)) return fail('', 'the event must be a JSON object');
  return fastNormalize(input, context) ?? exactNormalize(input, context);
}

/**
 * How many more bytes the producer's serialisation can have than the stored canonical
 * text: a long timestamp normalised to milliseconds UTC (at most 11), and members sent
 * as null that are dropped or replaced (`"target":null`, `"category":null`, …).
 */
const INPUT_SLACK_BYTES = 128;

/** The hot path: a stored event, or undefined when the exact path must decide. */
function fastNormalize(
  input: Record<string, unknown>,
  context: IngestContext,
): NormalizeResult | undefined {
  // Depth and forbidden keys first: nothing below may walk a hostile structure. Details'
  // size is vouched for by the canonical text's size below.
  if (!hasSafeStructure(input) || !isValidEventShape(input, EVENT_LIMITS.detailsBytes)) {
    return undefined;
  }
  const errors: FieldProblem[] = [];
  const { companyId, timestamp } = checkServerRules(
    input as unknown as EventInputDto,
    context,
    errors,
  );
  if (errors.length > 0 || companyId === undefined || timestamp === undefined) return undefined;
  const stored = buildStored(input, context, companyId, timestamp, true);
  // The canonical text holds every string and key the producer sent, escaped by
  // JSON.stringify (a lone surrogate would show as \udxxx), and details verbatim.
  const bytes = Buffer.byteLength(stored.canonical, 'utf8');
  if (
    bytes + INPUT_SLACK_BYTES > EVENT_LIMITS.eventBytes ||
    bytes > EVENT_LIMITS.detailsBytes ||
    mayHoldLoneSurrogate(stored.canonical)
  ) {
    return undefined;
  }
  return { ok: true, event: stored.event, source: stored.source };
}

/** The exact path alone; exported so a spec can prove both paths give one outcome. */
export function exactNormalize(
  input: Record<string, unknown>,
  context: IngestContext,
): NormalizeResult {
  const hostile = findHostileInput(input);
  if (hostile.length > 0) return { ok: false, errors: hostile };
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > EVENT_LIMITS.eventBytes) {
    return fail('', `the event is ${bytes} bytes; at most ${EVENT_LIMITS.eventBytes} are allowed`);
  }
  // The compiled rules accept a valid event; only an event they do not accept goes through
  // class-validator, which decides and words each field's problem.
  const shaped = isValidEventShape(input, bytes);
  const errors = shaped ? [] : eventDtoProblems(input);
  const { companyId, timestamp } = checkServerRules(
    input as unknown as EventInputDto,
    context,
    errors,
  );
  if (errors.length > 0 || companyId === undefined || timestamp === undefined) {
    return { ok: false, errors };
  }
  const { event, source } = buildStored(input, context, companyId, timestamp, shaped);
  return { ok: true, event, source };
}

function buildStored(
  input: Record<string, unknown>,
  context: IngestContext,
  companyId: string,
  timestamp: Date,
  shaped: boolean,
): { event: StoredEvent; canonical: string; source: string } {
  const fields = input as unknown as EventInputDto;
  // Built member by member: object rest and spread over the input were the costliest
  // lines of the ingest path.
  const { actor, target, outcome, category, id } = fields;
  const event = {
    id: id ?? generateEventId(context.now.getTime()),
    timestamp: timestamp.toISOString(),
    received_at: context.now.toISOString(),
    company_id: companyId,
    action: fields.action,
    category: category ?? fields.action.slice(0, fields.action.indexOf('.')),
    actor: { ...actor, type: (actor.type ?? 'user') as AuditEvent['actor']['type'] },
    outcome: (outcome ?? 'success') as AuditEvent['outcome'],
    schema_version: SCHEMA_VERSION,
  } as StoredEvent;
  if (target) event.target = target;
  const copied = event as unknown as Record<string, unknown>;
  for (const name of COPIED_AS_SENT) {
    if (name in input) copied[name] = input[name];
  }
  // A shape the compiled rules accepted has only named members: its JCS order is known.
  const canonical = shaped ? canonicalEventJson(event) : canonicalJson(event);
  const hash = hashOfCanonical(canonical);
  const scope = eventScope(event.target);
  const ingest = {
    key_id: context.keyId,
    ...(context.clientIp ? { client_ip: context.clientIp } : {}),
  };
  // The canonical text ends with the event's closing brace; none of the appended names
  // can be an event field (unknown fields are refused), so the members stay unique. The
  // ingest object comes last and is flat: `withIndexedAt` relies on both.
  const source =
    `${canonical.slice(0, -1)},"hash":"${hash}"` +
    `${scope ? `,"scope":${JSON.stringify(scope)}` : ''},"ingest":${JSON.stringify(ingest)}}`;
  event.hash = hash;
  if (scope) event.scope = scope;
  event.ingest = ingest;
  return { event, canonical, source };
}

/** The stored source's last bytes, the closing braces of `ingest` and of the event. */
export const SOURCE_CLOSING_BYTES = 2;

/**
 * What replaces a stored source's last `SOURCE_CLOSING_BYTES` to add `ingest.indexed_at`,
 * stamped by the writer per attempt. Sources built here end with the flat `ingest` object,
 * so the member goes before its closing brace without parsing the document again; the
 * writer copies the source into the `_bulk` body and this tail over its closing braces.
 */
export function indexedAtTail(indexedAt: string): string {
  return `,"indexed_at":"${indexedAt}"}}`;
}

/** The stored source with `ingest.indexed_at` added (see `indexedAtTail`). */
export function withIndexedAt(source: string, indexedAt: string): string {
  return source.slice(0, -SOURCE_CLOSING_BYTES) + indexedAtTail(indexedAt);
}
