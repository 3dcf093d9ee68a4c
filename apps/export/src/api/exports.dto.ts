import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { FILTER_PARAMS } from '@auditlog/events';
import { EXPORT_FORMATS, INTEGRITY_PARTS } from '@auditlog/export-jobs';
import {
  CompanyIdParam,
  CompanyQuery,
  EventFilterQuery,
  IntegerParam,
  OneOfParam,
} from '@auditlog/platform';

export const MAX_NAME_LENGTH = 200;
const FORMAT_MESSAGE = `format must be one of ${EXPORT_FORMATS.join(', ')}`;

/** `GET /v1/exports/stream`: the filters of GET /v1/events, plus the file format. */
export class StreamQuery extends EventFilterQuery {
  @CompanyIdParam()
  company_id?: string;

  @OneOfParam(EXPORT_FORMATS, { default: 'csv', description: 'The file format.' })
  format?: (typeof EXPORT_FORMATS)[number];
}

/** `GET /v1/exports`: the company and the number of exports listed. */
export class ExportListQuery extends CompanyQuery {
  @IntegerParam({
    min: 1,
    max: 1000,
    default: 100,
    description: 'Number of exports, newest first.',
  })
  limit?: number;
}

export const DOWNLOAD_PARTS = ['events', ...INTEGRITY_PARTS] as const;

/** `GET /v1/exports/{id}/download`: the company and which file. */
export class DownloadQuery extends CompanyQuery {
  @OneOfParam(DOWNLOAD_PARTS, {
    default: 'events',
    description:
      'events (default): the export file; digests / manifest: the integrity files of an export created with include_integrity (404 otherwise).',
  })
  part?: (typeof DOWNLOAD_PARTS)[number];
}

/** `POST /v1/exports`. The filters and the cross-field rules are checked by `parseCreateExport`. */
export class CreateExportBody {
  @ApiProperty({ type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH, example: 'March audit' })
  @ValidateBy({
    name: 'exportName',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && value.trim() !== '' && value.length <= MAX_NAME_LENGTH,
      defaultMessage: () =>
        `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
    },
  })
  name!: string;

  @ApiProperty({ type: 'string', enum: [...EXPORT_FORMATS] })
  @IsIn(EXPORT_FORMATS, { message: FORMAT_MESSAGE })
  format!: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({
    type: 'object',
    description: `The filters of GET /v1/events as parameter name -> value or values: ${FILTER_PARAMS.join(', ')}, context.<key>. from/to are stored as absolute instants.`,
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    example: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', action: 'flow.*' },
  })
  @IsOptional()
  @IsObject({ message: 'filters must be an object of filter parameters' })
  filters?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'string',
    description: 'Installation admins only: the company to export.',
  })
  @IsOptional()
  @IsString({ message: 'company_id must be a non-empty string' })
  @MinLength(1, { message: 'company_id must be a non-empty string' })
  company_id?: string;

  @ApiPropertyOptional({
    type: 'string',
    format: 'uri',
    maxLength: 2048,
    description:
      'Optional: POSTed a signed JSON summary when the job ends (docs/export.md); needs EXPORT_WEBHOOK_SECRET. Loopback, private and link-local destinations are refused unless the egress policy allows them (a literal address: 400).',
  })
  @IsOptional()
  @IsString({ message: 'webhook_url must be an http(s) URL without credentials' })
  @MaxLength(2048, { message: 'webhook_url must be an http(s) URL without credentials' })
  webhook_url?: string | null;

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description:
      "Also write the signed digests covering the range and a manifest, for auditlog-verify (docs/export.md). json/ndjson only, and only the from/to filters, which then bound received_at (the digests' clock) instead of timestamp.",
  })
  @IsOptional()
  @IsBoolean({ message: 'include_integrity must be a boolean' })
  include_integrity?: boolean | null;
}
