import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import { bearerToken } from './bearer';
import { IngestKeyRegistry } from './ingest-key.registry';
import type { Principal } from './principal';
import { isViewerSessionToken, ViewerSessions } from './viewer-session';

export function unauthenticated(
  detail = 'Send a valid, unexpired bearer token.',
): ProblemException {
  return new ProblemException(401, 'unauthenticated', 'Unauthorized', detail, undefined, {
    'WWW-Authenticate': 'Bearer',
  });
}

/**
 * Bearer authentication of the query and export APIs: JWTs of the host's identity
 * provider (passport-jwt, JwtStrategy), viewer sessions (`typ: auditlog-viewer`, signed
 * with the viewer session key) and SIEM keys build the same Principal.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly siemKeys: IngestKeyRegistry;

  constructor(
    private readonly viewerSessions: ViewerSessions,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.siemKeys = new IngestKeyRegistry(config.tail.siemKeys);
  }

  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const token = bearerToken(request);
    if (token && isViewerSessionToken(token)) {
      const principal = this.viewerSessions.verify(token);
      if (!principal) throw unauthenticated();
      request.user = principal;
      return true;
    }
    const siemKey = token ? this.siemKeys.authenticate(token) : undefined;
    if (siemKey) {
      request.user = {
        subject: `siem:${siemKey.id}`,
        roles: [],
        via: 'siem_key',
        permissions: ['tail'],
        siemCompanies: siemKey.companies,
      };
      return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser>(
    error: unknown,
    user: TUser,
    _info: unknown,
    _context: ExecutionContext,
  ): TUser {
    if (error instanceof ProblemException) throw error;
    if (error || !user) throw unauthenticated();
    return user;
  }
}
