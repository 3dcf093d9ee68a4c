import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  InstallationAdminGuard,
  JwtAuthGuard,
  type Principal,
} from '@auditlog/auth';
import { ProblemException } from '@auditlog/problem';
import { ApiProblem, BEARER_JWT } from '@auditlog/platform';
import {
  type CompanySettings,
  CompanySettingsService,
  type StorageStatus,
  StorageStatusService,
  UnknownRetentionClassError,
} from '@auditlog/retention';
import { CompanyPath, CompanySettingsBody } from './admin.dto';
import {
  COMPANY_LIST_SCHEMA,
  COMPANY_SETTINGS_SCHEMA,
  STORAGE_STATUS_SCHEMA,
} from './admin.openapi';
import { type CompanyListEntry, CompanyDirectoryService } from './company-directory.service';

/** Installation-admin API: company settings and storage status (SPEC §7). */
@ApiTags('admin')
@ApiBearerAuth(BEARER_JWT)
@ApiProblem(401, 'No, an expired or an invalid bearer token')
@ApiProblem(403, 'Not an installation admin')
@ApiProblem(503, 'OpenSearch unavailable; retry after Retry-After')
@Controller('v1/admin')
@UseGuards(JwtAuthGuard, InstallationAdminGuard)
export class AdminController {
  constructor(
    private readonly companies: CompanySettingsService,
    private readonly storage: StorageStatusService,
    private readonly directory: CompanyDirectoryService,
  ) {}

  @Get('companies')
  @ApiOperation({ summary: 'Companies with recent events or explicit settings (company picker)' })
  @ApiOkResponse({ schema: COMPANY_LIST_SCHEMA })
  companyList(): Promise<{ companies: CompanyListEntry[] }> {
    return this.directory.list();
  }

  @Get('companies/:company_id')
  @ApiOperation({ summary: "A company's retention settings (the default class until set)" })
  @ApiOkResponse({ schema: COMPANY_SETTINGS_SCHEMA })
  @ApiProblem(400, 'The company id is invalid')
  company(@Param() path: CompanyPath): Promise<CompanySettings> {
    return this.companies.get(path.company_id);
  }

  @Put('companies/:company_id')
  @ApiOperation({ summary: "Set a company's retention class" })
  @ApiOkResponse({ schema: COMPANY_SETTINGS_SCHEMA })
  @ApiProblem(400, 'The company id, the body or the retention class is invalid')
  async updateCompany(
    @Param() path: CompanyPath,
    @Body() body: CompanySettingsBody,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CompanySettings> {
    try {
      return await this.companies.setRetentionClass(
        path.company_id,
        body.retention_class,
        principal.subject,
      );
    } catch (error) {
      if (error instanceof UnknownRetentionClassError) {
        throw ProblemException.badRequest(error.message, [
          { path: 'retention_class', message: error.message },
        ]);
      }
      throw error;
    }
  }

  @Get('storage')
  @ApiOperation({ summary: 'Events indices per retention class: sizes, lifecycle, deletion dates' })
  @ApiOkResponse({ schema: STORAGE_STATUS_SCHEMA })
  status(): Promise<StorageStatus> {
    return this.storage.status();
  }
}
