import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { ProblemException } from '@auditlog/problem';
import { bearerToken } from './bearer';
import type { Principal } from './principal';
import { isViewerSessionToken, ViewerSessions } from './viewer-session';

export function unauthenticated(): ProblemException {
  return new ProblemException(
    401,
    'unauthenticated',
    'Unauthorized',
    'Send a valid, unexpired bearer token.',
    undefined,
    { 'WWW-Authenticate': 'Bearer' },
  );
}

/**
 * Bearer authentication of the query and export APIs: JWTs of the host's identity
 * provider (passport-jwt, JwtStrategy) and viewer sessions (`typ: auditlog-viewer`, signed
 * with the viewer session key) build the same Principal.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly viewerSessions: ViewerSessions) {
    super();
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
