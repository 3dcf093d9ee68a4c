import { Body, Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { mayWriteFor } from '@auditlog/auth';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import type { QueryParams } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import { ApiProblem, BEARER_INGEST_KEY, BEARER_JWT } from '@auditlog/platform';
import { type MintRequest, ViewerTokenMinterGuard } from './viewer-token-minter.guard';
import { parseExchangeRequest, parseViewerTokenRequest } from './viewer-token.request';
import { ViewerTokensService } from './viewer-tokens.service';
import {
  CREATE_VIEWER_SESSION_SCHEMA,
  CREATE_VIEWER_TOKEN_SCHEMA,
  VIEWER_SESSION_SCHEMA,
  VIEWER_TOKEN_SCHEMA,
} from './viewer.openapi';

export interface ViewerTokenAnswer {
  token: string;
  expires_at: string;
  url: string;
}

export interface ViewerSessionAnswer {
  session_token: string;
  expires_at: string;
  subject: string;
  company_id: string;
  roles: string[];
  permissions: string[];
  filters: QueryParams;
}

/** Sign-in for the console: the host mints a viewer token, the browser exchanges it once. */
@ApiTags('viewer')
@Controller('v1')
export class ViewerTokensController {
  constructor(
    private readonly tokens: ViewerTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('viewer-tokens')
  @HttpCode(201)
  @UseGuards(ViewerTokenMinterGuard)
  @ApiBearerAuth(BEARER_INGEST_KEY)
  @ApiBearerAuth(BEARER_JWT)
  @ApiOperation({
    summary:
      'Mint a single-use viewer token (viewer-token key for its companies, or an installation admin JWT)',
  })
  @ApiBody({ schema: CREATE_VIEWER_TOKEN_SCHEMA })
  @ApiCreatedResponse({ schema: VIEWER_TOKEN_SCHEMA })
  @ApiProblem(400, 'The request is invalid: every problem named by path')
  @ApiProblem(401, 'No, or an unknown, key or token')
  @ApiProblem(403, 'Not an admin or key, or a company the key may not mint for')
  @ApiProblem(503, 'Viewer sessions not configured, or Redis unavailable')
  async mint(@Body() body: unknown, @Req() request: MintRequest): Promise<ViewerTokenAnswer> {
    const parsed = parseViewerTokenRequest(body);
    if (!parsed.ok)
      throw ProblemException.badRequest('The viewer token request is invalid.', parsed.errors);
    const minter = request.minter;
    if (minter?.kind === 'key' && !mayWriteFor(minter.key, parsed.value.companyId)) {
      throw new ProblemException(
        403,
        'forbidden',
        'Forbidden',
        `Viewer-token key "${minter.key.id}" may not mint for company "${parsed.value.companyId}".`,
      );
    }
    const issuedBy = minter?.kind === 'key' ? `key:${minter.key.id}` : `admin:${minter?.subject}`;
    const { token, grant } = await this.tokens.mint(parsed.value, issuedBy);
    return {
      token,
      expires_at: grant.expiresAt,
      url: `${this.consoleBase(request)}/console/#viewer_token=${token}`,
    };
  }

  @Post('viewer-sessions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Exchange a viewer token (once) for a viewer session token' })
  @ApiBody({ schema: CREATE_VIEWER_SESSION_SCHEMA })
  @ApiCreatedResponse({ schema: VIEWER_SESSION_SCHEMA })
  @ApiProblem(400, 'The request is invalid: every problem named by path')
  @ApiProblem(401, 'Type viewer-token-invalid: expired, unknown or already used')
  @ApiProblem(503, 'Viewer sessions not configured, or Redis unavailable')
  async exchange(@Body() body: unknown): Promise<ViewerSessionAnswer> {
    const parsed = parseExchangeRequest(body);
    if (!parsed.ok) throw ProblemException.badRequest('The request is invalid.', parsed.errors);
    const { sessionToken, grant } = await this.tokens.exchange(parsed.value);
    return {
      session_token: sessionToken,
      expires_at: grant.expiresAt,
      subject: grant.subject,
      company_id: grant.companyId,
      roles: grant.roles,
      permissions: grant.permissions,
      filters: grant.filters,
    };
  }

  private consoleBase(request: Request): string {
    return this.config.viewer.consolePublicUrl ?? `${request.protocol}://${request.get('host')}`;
  }
}
