import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  type Principal,
  principalRestrictions,
  RequirePermission,
  resolveCompany,
} from '@auditlog/auth';
import type { QueryParams } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import { singleQueryParam } from '@auditlog/platform';
import { ApiAuthProblems, ApiCompanyParam } from '../events/events.openapi';
import { CATALOG_SCHEMA } from './catalog.openapi';
import { type Catalog, CatalogService } from './catalog.service';

@ApiTags('catalog')
@ApiAuthProblems()
@Controller('v1/catalog')
@RequirePermission('view')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOperation({
    summary: 'Registered actions and the actions the company used in the last 30 days',
  })
  @ApiCompanyParam()
  @ApiOkResponse({ schema: CATALOG_SCHEMA })
  list(@CurrentPrincipal() principal: Principal, @Query() params: QueryParams): Promise<Catalog> {
    const unknown = Object.keys(params).filter((name) => name !== 'company_id');
    if (unknown.length > 0) {
      throw ProblemException.badRequest(
        `Unknown query parameters: ${unknown.join(', ')}.`,
        unknown.map((name) => ({ path: name, message: `unknown query parameter: ${name}` })),
      );
    }
    const companyId = resolveCompany(principal, singleQueryParam(params, 'company_id'));
    // A viewer session's fixed filters restrict the counts like every other read.
    return this.catalog.forCompany(companyId, principalRestrictions(principal));
  }
}
