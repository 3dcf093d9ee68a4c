import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import {
  bearerToken,
  IngestKeyRegistry,
  isAdmin,
  JwtAuthGuard,
  type Principal,
} from '@auditlog/auth';
import { APP_CONFIG, type AppConfig, type IngestKeyRecord } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';

/** Who mints: a viewer-token key (limited to its companies) or an installation admin. */
export type Minter = { kind: 'key'; key: IngestKeyRecord } | { kind: 'admin'; subject: string };

export type MintRequest = Request & { minter?: Minter; user?: Principal };

/**
 * Admits the callers of `POST /v1/viewer-tokens`: a key of VIEWER_TOKEN_KEYS (hashed like
 * ingest keys), or an installation admin's JWT. Owner JWTs and viewer sessions get 403:
 * a viewer can never mint a wider viewer.
 */
@Injectable()
export class ViewerTokenMinterGuard implements CanActivate {
  private readonly keys: IngestKeyRegistry;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly jwt: JwtAuthGuard,
  ) {
    this.keys = new IngestKeyRegistry(config.viewer.tokenKeys);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<MintRequest>();
    const secret = bearerToken(request);
    const key = secret ? this.keys.authenticate(secret) : undefined;
    if (key) {
      request.minter = { kind: 'key', key };
      return true;
    }
    await (this.jwt.canActivate(context) as boolean | Promise<boolean>);
    const principal = request.user;
    if (!principal || principal.via !== 'jwt' || !isAdmin(principal)) {
      throw new ProblemException(
        403,
        'forbidden',
        'Forbidden',
        'Viewer tokens are minted with a viewer-token key (VIEWER_TOKEN_KEYS) or by an installation admin.',
      );
    }
    request.minter = { kind: 'admin', subject: principal.subject };
    return true;
  }
}
