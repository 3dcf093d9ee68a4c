import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  CurrentPrincipal,
  type Principal,
  RequirePermission,
  requireUnrestricted,
  resolveCompany,
} from '@auditlog/auth';
import type { Digest, PublicKeyInfo } from '@auditlog/integrity';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthProblems } from '../events/events.openapi';
import {
  DIGEST_SCHEMA,
  IntegrityRangeQuery,
  PUBLIC_KEYS_SCHEMA,
  VERIFY_SCHEMA,
} from './integrity.openapi';
import { INTEGRITY_KEYS, type IntegrityKeys } from './integrity-keys';
import { parseIntegrityRange } from './integrity-range';
import { IntegrityVerifyService, type VerifyAnswer } from './integrity-verify.service';

@ApiTags('integrity')
@Controller('v1/integrity')
export class IntegrityController {
  constructor(
    private readonly integrity: IntegrityVerifyService,
    @Inject(INTEGRITY_KEYS) private readonly keys: IntegrityKeys,
  ) {}

  /** Public: anyone holding digests must be able to check their signatures. */
  @Get('public-keys')
  @ApiOperation({ summary: 'The Ed25519 keys that sign digests (public, no token)' })
  @ApiOkResponse({ schema: PUBLIC_KEYS_SCHEMA })
  publicKeys(): { keys: Array<PublicKeyInfo & { current: boolean }> } {
    return { keys: this.keys.published };
  }

  @Get('verify')
  @RequirePermission('view')
  @ApiOperation({
    summary: "Recompute every hash, Merkle root, signature and chain link of a company's range",
  })
  @ApiAuthProblems()
  @ApiOkResponse({ schema: VERIFY_SCHEMA })
  verify(
    @CurrentPrincipal() principal: Principal,
    @Query() query: IntegrityRangeQuery,
  ): Promise<VerifyAnswer> {
    requireUnrestricted(principal, 'Integrity verification');
    const companyId = resolveCompany(principal, query.company_id);
    const now = new Date();
    return this.integrity.verify(companyId, parseIntegrityRange(query, now), now);
  }

  @Get('digests')
  @RequirePermission('view')
  @ApiOperation({ summary: "The signed digests of a company's range, oldest first" })
  @ApiAuthProblems()
  @ApiOkResponse({ schema: { type: 'array', items: DIGEST_SCHEMA } })
  digests(
    @CurrentPrincipal() principal: Principal,
    @Query() query: IntegrityRangeQuery,
  ): Promise<Digest[]> {
    requireUnrestricted(principal, 'The digest list');
    const companyId = resolveCompany(principal, query.company_id);
    return this.integrity.listDigests(companyId, parseIntegrityRange(query, new Date()));
  }
}
