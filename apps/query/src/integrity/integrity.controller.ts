import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  CurrentPrincipal,
  type Principal,
  RequirePermission,
  requireUnrestricted,
  resolveCompany,
} from '@auditlog/auth';
import type { Digest, PublicKeyInfo } from '@auditlog/integrity';
import { INTEGRITY_KEYS, type IntegrityKeys } from './integrity-keys';
import { parseIntegrityRange } from './integrity-range';
import { IntegrityVerifyService, type VerifyAnswer } from './integrity-verify.service';

type RangeQuery = Record<string, string | undefined>;

@Controller('v1/integrity')
export class IntegrityController {
  constructor(
    private readonly integrity: IntegrityVerifyService,
    @Inject(INTEGRITY_KEYS) private readonly keys: IntegrityKeys,
  ) {}

  /** Public: anyone holding digests must be able to check their signatures. */
  @Get('public-keys')
  publicKeys(): { keys: Array<PublicKeyInfo & { current: boolean }> } {
    return { keys: this.keys.published };
  }

  @Get('verify')
  @RequirePermission('view')
  verify(
    @CurrentPrincipal() principal: Principal,
    @Query() query: RangeQuery,
  ): Promise<VerifyAnswer> {
    requireUnrestricted(principal, 'Integrity verification');
    const companyId = resolveCompany(principal, query.company_id);
    const now = new Date();
    return this.integrity.verify(companyId, parseIntegrityRange(query, now), now);
  }

  @Get('digests')
  @RequirePermission('view')
  digests(@CurrentPrincipal() principal: Principal, @Query() query: RangeQuery): Promise<Digest[]> {
    requireUnrestricted(principal, 'The digest list');
    const companyId = resolveCompany(principal, query.company_id);
    return this.integrity.listDigests(companyId, parseIntegrityRange(query, new Date()));
  }
}
