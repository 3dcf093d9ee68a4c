import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@auditlog/problem';
import { unauthenticated, JwtAuthGuard } from './jwt-auth.guard';
import type { Permission, Principal } from './principal';

const PERMISSION_KEY = 'auditlog:permission';

/** Admits principals holding the route's permission; runs after JwtAuthGuard. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!principal) throw unauthenticated();
    if (!needed || principal.permissions.includes(needed)) return true;
    throw new ProblemException(
      403,
      'forbidden',
      'Forbidden',
      `This session does not have the "${needed}" permission.`,
    );
  }
}

/**
 * Bearer authentication (JWT or viewer session) plus one permission: `view` for the query
 * API, `export` for every export route.
 */
export const RequirePermission = (permission: Permission) =>
  applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    UseGuards(JwtAuthGuard, PermissionGuard),
  );
