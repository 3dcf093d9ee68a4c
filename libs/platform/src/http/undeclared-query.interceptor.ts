import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { unknownFieldProblem } from '@auditlog/events';
import { invalidInput } from './validation.pipe';

/** `@ApiExcludeController()` metadata (@nestjs/swagger DECORATORS.API_EXCLUDE_CONTROLLER). */
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

/**
 * A documented route that takes no query (`@Query()` nowhere in its handler) refuses any
 * query parameter, as a route with a query DTO refuses an undeclared one (ADR 0092): the
 * OpenAPI document lists exactly what each route accepts. Runs after the guards, so 401
 * and 403 come first. Controllers left out of the reference (the console's files) are
 * not checked.
 */
@Injectable()
export class UndeclaredQueryInterceptor implements NestInterceptor {
  private readonly takesQuery = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<Request>();
      const names = Object.keys(request.query ?? {});
      if (names.length > 0 && !this.acceptsQuery(context)) {
        throw invalidInput(
          'query',
          names.map((name) => unknownFieldProblem(name, { in: 'query' })),
        );
      }
    }
    return next.handle();
  }

  private acceptsQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const known = this.takesQuery.get(handler);
    if (known !== undefined) return known;
    const controller = context.getClass();
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ??
      {}) as Record<string, unknown>;
    const accepts =
      Reflect.getMetadata(API_EXCLUDE_CONTROLLER, controller) !== undefined ||
      Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
    this.takesQuery.set(handler, accepts);
    return accepts;
  }
}
