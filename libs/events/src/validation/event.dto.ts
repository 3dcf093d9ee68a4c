import 'reflect-metadata';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsIP,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  validateSync,
  ValidateNested,
} from 'class-validator';
import { ACTOR_TYPES, OPERATIONS, OUTCOMES } from '../audit-event';
import {
  ACTION_PATTERN,
  CATEGORY_PATTERN,
  COMPANY_ID_PATTERN,
  EVENT_ID_PATTERN,
  MAX_ACTION_LENGTH,
} from '../event-id';
import type { FieldProblem } from '../field-problem';
import { EVENT_LIMITS } from './event-limits';
import { EVENT_FIELDS } from './event-schema';
import { validationProblems } from './validation-problems';
import { IsFlatStringMap, IsIsoDateTime, MaxSerializedBytes } from './json-rules';

/** Free-text fields that are indexed as keywords: longer values would not be searchable. */
const SHORT_TEXT = EVENT_LIMITS.shortText;

class ObjectRefDto {
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  name?: string;
}

class ImpersonatorDto extends ObjectRefDto {}

class ActorDto {
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(SHORT_TEXT)
  id!: string;

  @IsOptional()
  @IsIn(ACTOR_TYPES)
  type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'actor.email must look like an e-mail address' })
  email?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  impersonator?: ImpersonatorDto;
}

class TargetDto extends ObjectRefDto {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EVENT_LIMITS.ancestors)
  @ValidateNested({ each: true })
  ancestors?: ObjectRefDto[];
}

class SourceDto {
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  tool?: string;

  @IsOptional()
  @IsString()
  @IsIP()
  ip?: string;

  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  user_agent?: string;

  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  request_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  session_id?: string;
}

class ChangeDto {
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(SHORT_TEXT)
  field!: string;

  @Allow()
  before?: unknown;

  @Allow()
  after?: unknown;
}

/** The producer's event, schema version 1 (SPEC §3). */
export class EventInputDto {
  @IsOptional()
  @IsString()
  @Matches(EVENT_ID_PATTERN, { message: 'id must be 1-128 characters [A-Za-z0-9._:-]' })
  id?: string;

  @IsOptional()
  @IsIsoDateTime()
  timestamp?: string;

  @IsOptional()
  @IsString()
  @Matches(COMPANY_ID_PATTERN, { message: 'company_id must be 1-64 characters [A-Za-z0-9._-]' })
  company_id?: string;

  @IsDefined()
  @IsString()
  @MaxLength(MAX_ACTION_LENGTH)
  @Matches(ACTION_PATTERN, {
    message: 'action must be dotted lowercase like flow.created ([a-z0-9_] segments)',
  })
  action!: string;

  @IsOptional()
  @IsString()
  @Matches(CATEGORY_PATTERN, { message: 'category must be 1-64 characters [a-z0-9_]' })
  category?: string;

  @IsOptional()
  @IsIn(OPERATIONS)
  operation?: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  actor!: ActorDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  target?: TargetDto;

  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: string;

  @IsOptional()
  @IsString()
  @MaxLength(EVENT_LIMITS.reason)
  reason?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  source?: SourceDto;

  @IsOptional()
  @IsFlatStringMap(EVENT_LIMITS.contextKeys, SHORT_TEXT)
  context?: Record<string, string>;

  @IsOptional()
  @IsString()
  @MaxLength(EVENT_LIMITS.description)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EVENT_LIMITS.changes)
  @ValidateNested({ each: true })
  changes?: ChangeDto[];

  @IsOptional()
  @IsObject()
  @MaxSerializedBytes(EVENT_LIMITS.detailsBytes)
  details?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function instance<T extends object>(Class: new () => T, value: unknown): unknown {
  return isRecord(value) ? Object.assign(new Class(), value) : value;
}

function instances<T extends object>(Class: new () => T, value: unknown): unknown {
  return Array.isArray(value) ? value.map((item) => instance(Class, item)) : value;
}

/**
 * The DTO tree class-validator needs for nested validation, built by hand: several times
 * cheaper than class-transformer's generic walk, which matters at ingest rates. Values
 * are not converted; the input must already have passed the hostile-input checks.
 */
export function toEventInputDto(input: Record<string, unknown>): EventInputDto {
  const dto = Object.assign(new EventInputDto(), input) as unknown as Record<string, unknown>;
  const actor = instance(ActorDto, input.actor);
  if (actor instanceof ActorDto)
    actor.impersonator = instance(ImpersonatorDto, actor.impersonator) as ImpersonatorDto;
  dto.actor = actor;
  const target = instance(TargetDto, input.target);
  if (target instanceof TargetDto)
    target.ancestors = instances(ObjectRefDto, target.ancestors) as ObjectRefDto[];
  dto.target = target;
  dto.source = instance(SourceDto, input.source);
  dto.changes = instances(ChangeDto, input.changes);
  return dto as unknown as EventInputDto;
}

/**
 * The class-validator path: every field's problem of an event, worded as the API
 * documents them. Off the hot path: the ingest runs it only for events the compiled rules
 * (`isValidEventShape`) did not accept. The input must have passed the hostile-input checks.
 */
export function eventDtoProblems(input: Record<string, unknown>): FieldProblem[] {
  return validationProblems(
    validateSync(toEventInputDto(input), {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: false, value: false },
    }),
    EVENT_FIELDS,
  );
}
