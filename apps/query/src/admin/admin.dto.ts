import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Matches } from 'class-validator';
import { COMPANY_ID_PATTERN } from '@auditlog/events';

/** `{company_id}` of `/v1/admin/companies/{company_id}`. */
export class CompanyPath {
  @ApiProperty({ type: 'string', pattern: COMPANY_ID_PATTERN.source, example: 'acme' })
  @Matches(COMPANY_ID_PATTERN, { message: 'company_id must be 1-64 characters [A-Za-z0-9._-]' })
  company_id!: string;
}

/** `PUT /v1/admin/companies/{company_id}`: the company's retention class. */
export class CompanySettingsBody {
  @ApiProperty({
    type: 'string',
    description: 'One of the configured RETENTION_CLASSES, e.g. 1y',
    example: '1y',
  })
  @IsDefined()
  @IsString({ message: 'retention_class must be a string' })
  retention_class!: string;
}
