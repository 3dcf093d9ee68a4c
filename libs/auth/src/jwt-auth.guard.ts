import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ProblemException } from '@auditlog/platform';

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser>(
    error: unknown,
    user: TUser,
    _info: unknown,
    _context: ExecutionContext,
  ): TUser {
    if (error instanceof ProblemException) throw error;
    if (error || !user) {
      throw new ProblemException(
        401,
        'unauthenticated',
        'Unauthorized',
        'Send a valid, unexpired bearer token.',
        undefined,
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    return user;
  }
}
