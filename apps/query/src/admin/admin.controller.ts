import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  InstallationAdminGuard,
  JwtAuthGuard,
  type Principal,
} from '@auditlog/auth';
import { ProblemException } from '@auditlog/problem';
import {
  type CompanySettings,
  CompanySettingsService,
  type StorageStatus,
  StorageStatusService,
  UnknownRetentionClassError,
} from '@auditlog/storage';
import { COMPANY_LIST_SCHEMA } from './admin.openapi';
import { type CompanyListEntry, CompanyDirectoryService } from './company-directory.service';

const COMPANY_ID = /^[A-Za-z0-9._-]{1,64}$/;

function companyIdOf(raw: string): string {
  if (!COMPANY_ID.test(raw)) {
    throw ProblemException.badRequest('The company id is invalid.', [
      { path: 'company_id', message: 'company_id must be 1-64 characters [A-Za-z0-9._-]' },
    ]);
  }
  return raw;
}

function retentionClassOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ProblemException.badRequest('Send a JSON object like {"retention_class":"1y"}.');
  }
  const unknown = Object.keys(body).filter((key) => key !== 'retention_class');
  const value = (body as { retention_class?: unknown }).retention_class;
  const errors = unknown.map((key) => ({ path: key, message: `unknown field "${key}"` }));
  if (typeof value !== 'string') {
    errors.push({ path: 'retention_class', message: 'retention_class must be a string' });
  }
  if (errors.length > 0) throw ProblemException.badRequest('The settings are invalid.', errors);
  return value as string;
}

/** Installation-admin API: company settings and storage status (SPEC §7). */
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

  @Get('companies/:companyId')
  company(@Param('companyId') companyId: string): Promise<CompanySettings> {
    return this.companies.get(companyIdOf(companyId));
  }

  @Put('companies/:companyId')
  async updateCompany(
    @Param('companyId') companyId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CompanySettings> {
    const id = companyIdOf(companyId);
    const retentionClass = retentionClassOf(body);
    try {
      return await this.companies.setRetentionClass(id, retentionClass, principal.subject);
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
  status(): Promise<StorageStatus> {
    return this.storage.status();
  }
}
