import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ProblemException } from '@auditlog/problem';
import { isAdmin, type Principal } from './principal';

/** Admits installation admins only; use after JwtAuthGuard. */
@Injectable()
export class InstallationAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal && isAdmin(principal)) return true;
    throw new ProblemException(
      403,
      'forbidden',
      'Forbidden',
      'This endpoint is for installation admins only.',
    );
  }
}
