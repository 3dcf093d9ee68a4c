import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  Matches,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { CATEGORY_PATTERN, COMPANY_ID_PATTERN, OUTCOMES } from '@auditlog/events';
import { IntegerParam, ValidatedByOwnPipe } from '@auditlog/platform';
import { DESTINATION_INPUT_SCHEMA } from './streams.openapi';

export const MAX_STREAM_NAME = 200;
const MAX_FILTER_VALUES = 50;
const MAX_REASON = 500;
/** A dot-separated start of an action name: `auth`, `auth.`, `billing.invoice`. */
const ACTION_PREFIX = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*\.?$/;
const ISO_HINT = 'an ISO 8601 date-time with an offset, e.g. 2026-03-01T00:00:00Z';

/** One rule (one message) for an optional array of strings of one pattern. */
function StringList(pattern: RegExp, what: string): PropertyDecorator {
  return ValidateBy({
    name: 'stringList',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.length <= MAX_FILTER_VALUES &&
        value.every((item) => typeof item === 'string' && item.length <= 128 && pattern.test(item)),
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} must be an array of at most ${MAX_FILTER_VALUES} ${what}`,
    },
  });
}

function NonEmptyText(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'nonEmptyText',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && value.trim() !== '' && value.length <= max,
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} must be a non-empty string of at most ${max} characters`,
    },
  });
}

/** A date-time string; the clock and retention rules are checked by the service. */
function DateTimeText(): PropertyDecorator {
  return Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i, {
    message: (args) => `${args.property} must be ${ISO_HINT}`,
  });
}

export class StreamFiltersBody {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: CATEGORY_PATTERN.source },
    maxItems: MAX_FILTER_VALUES,
    description: 'Only events of these categories.',
  })
  @IsOptional()
  @StringList(CATEGORY_PATTERN, 'categories ([a-z0-9_]{1,64})')
  categories?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: ACTION_PREFIX.source },
    maxItems: MAX_FILTER_VALUES,
    description: 'Only events whose action starts with one of these (`auth.`, `billing.invoice`).',
  })
  @IsOptional()
  @StringList(ACTION_PREFIX, 'action prefixes (e.g. auth. or billing.invoice)')
  action_prefixes?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...OUTCOMES] },
    description: 'Only events of these outcomes.',
  })
  @IsOptional()
  @StringList(new RegExp(`^(?:${OUTCOMES.join('|')})$`), `outcomes (${OUTCOMES.join(', ')})`)
  outcomes?: Array<(typeof OUTCOMES)[number]>;
}

export class StreamBatchBody {
  @IntegerParam({
    min: 1,
    max: 10_000,
    default: 500,
    description: 'Most events per delivery.',
  })
  max_events?: number;

  @IntegerParam({
    min: 100,
    max: 60_000,
    default: 1000,
    description: 'Longest a partial batch waits for more events (ms).',
  })
  max_wait_ms?: number;
}

/** The definition fields both POST and PATCH take; POST requires name and destination. */
class StreamFieldsBody {
  @ApiPropertyOptional({
    type: 'string',
    pattern: COMPANY_ID_PATTERN.source,
    nullable: true,
    description: 'The one company whose events the stream sends; null or absent: every company.',
  })
  @IsOptional()
  @Matches(COMPANY_ID_PATTERN, { message: 'company_id must be 1-64 characters [A-Za-z0-9._-]' })
  company_id?: string | null;

  @ApiPropertyOptional({ type: () => StreamFiltersBody, description: 'Empty: every event.' })
  @IsOptional()
  @IsObject({ message: 'filters must be an object' })
  @ValidateNested()
  @Type(() => StreamFiltersBody)
  filters?: StreamFiltersBody;

  @ApiPropertyOptional({ type: () => StreamBatchBody })
  @IsOptional()
  @IsObject({ message: 'batch must be an object' })
  @ValidateNested()
  @Type(() => StreamBatchBody)
  batch?: StreamBatchBody;

  @IntegerParam({
    min: 60,
    max: 30 * 86_400,
    default: 3600,
    description: 'After failing this long without one delivery, the stream pauses itself.',
  })
  pause_after_failing_seconds?: number;

  @ApiPropertyOptional({
    type: 'string',
    enum: ['pause', 'dead_letter'],
    default: 'pause',
    description:
      'A batch the destination refuses as such (400, 413): pause the stream, or record the batch as dead-lettered and go on.',
  })
  @IsOptional()
  @IsIn(['pause', 'dead_letter'], { message: 'on_rejected must be one of pause, dead_letter' })
  on_rejected?: 'pause' | 'dead_letter';
}

/** `POST /v1/admin/streams`. The destination is checked per type by `parseDestination`. */
export class CreateStreamBody extends StreamFieldsBody {
  @ApiProperty({ type: 'string', minLength: 1, maxLength: MAX_STREAM_NAME, example: 'Splunk' })
  @IsDefined()
  @NonEmptyText(MAX_STREAM_NAME)
  name!: string;

  @ApiProperty(DESTINATION_INPUT_SCHEMA)
  @IsDefined()
  @IsObject({ message: 'destination must be an object' })
  destination!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description:
      'Deliver events received from this time on (default: now); within retention, not in the future.',
  })
  @IsOptional()
  @DateTimeText()
  start_at?: string;
}

/**
 * `PATCH /v1/admin/streams/{id}`: the fields given replace the stored ones; a destination
 * given replaces the stored one, except that secrets it omits keep their stored values
 * (same type). Delivery goes on from the cursor; use replay to move it.
 */
export class UpdateStreamBody extends StreamFieldsBody {
  @ApiPropertyOptional({ type: 'string', minLength: 1, maxLength: MAX_STREAM_NAME })
  @IsOptional()
  @NonEmptyText(MAX_STREAM_NAME)
  name?: string;

  @ApiPropertyOptional(DESTINATION_INPUT_SCHEMA)
  @IsOptional()
  @IsObject({ message: 'destination must be an object' })
  destination?: Record<string, unknown>;
}

export class StreamPath {
  @ApiProperty({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'id must be a stream id' })
  id!: string;
}

/** Optional as a whole: validated by OptionalBodyPipe. */
@ValidatedByOwnPipe()
export class PauseStreamBody {
  @ApiPropertyOptional({
    type: 'string',
    maxLength: MAX_REASON,
    description: 'Shown as paused_reason.',
  })
  @IsOptional()
  @NonEmptyText(MAX_REASON)
  reason?: string;
}

export class ReplayStreamBody {
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    description:
      'Deliver again every event received from this time on; within retention, not in the future.',
  })
  @IsDefined()
  @DateTimeText()
  from!: string;
}
