import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  type Principal,
  principalRestrictions,
  RequirePermission,
  resolveCompany,
} from '@auditlog/auth';
import { CompanyQuery } from '@auditlog/platform';
import { ApiAuthProblems } from '../events/events.openapi';
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
  @ApiOkResponse({ schema: CATALOG_SCHEMA })
  list(@CurrentPrincipal() principal: Principal, @Query() query: CompanyQuery): Promise<Catalog> {
    const companyId = resolveCompany(principal, query.company_id);
    // A viewer session's fixed filters restrict the counts like every other read.
    return this.catalog.forCompany(companyId, principalRestrictions(principal));
  }
}
