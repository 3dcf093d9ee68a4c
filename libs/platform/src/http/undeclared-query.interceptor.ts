import {
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import {
  INTERCEPTORS_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { unknownFieldProblem } from '@auditlog/events';
import { invalidInput } from './validation.pipe';

/** `@ApiExcludeController()` metadata (@nestjs/swagger DECORATORS.API_EXCLUDE_CONTROLLER). */
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

/**
 * A documented route that takes no query (`@Query()` nowhere in its handler) refuses any
 * query parameter, as a route with a query DTO refuses an undeclared one (ADR 0092): the
 * OpenAPI document lists exactly what each route accepts. As an interceptor it runs after
 * the guards, so 401 and 403 come first, and before the pipes. Controllers left out of the
 * reference (the console's files) are not checked.
 *
 * Attached by `refuseUndeclaredQueries` to exactly the routes that take no query, not
 * registered globally: a global interceptor costs every request, the busiest routes
 * included, Nest's interceptor plumbing (async-context binding and RxJS, ~0.15 ms of a
 * list page's CPU, ADR 0170), only to let the routes with a query DTO pass.
 */
@Injectable()
export class UndeclaredQueryInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<Request>();
      const names = Object.keys(request.query ?? {});
      if (names.length > 0) {
        throw invalidInput(
          'query',
          names.map((name) => unknownFieldProblem(name, { in: 'query' })),
        );
      }
    }
    return next.handle();
  }
}

/** One instance for every route (it holds no state). */
const UNDECLARED_QUERY = new UndeclaredQueryInterceptor();

/** Whether a route handler takes a query (`@Query()` on one of its parameters). */
function takesQuery(controller: object, handlerName: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<
    string,
    unknown
  >;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
}

/**
 * Puts `UndeclaredQueryInterceptor` first among the route interceptors of every documented
 * route handler that takes no query. Must run before `app.init()` registers the routes
 * (createApp calls it); running it again (several apps in one test process share
 * controllers) changes nothing.
 */
export function refuseUndeclaredQueries(app: INestApplication): void {
  const scanner = new MetadataScanner();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (typeof controller !== 'function') continue;
      if (Reflect.getMetadata(API_EXCLUDE_CONTROLLER, controller) !== undefined) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      // Every method Nest's router explores, inherited ones included.
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        if (takesQuery(controller, name)) continue;
        const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
        if (own.includes(UNDECLARED_QUERY)) continue;
        Reflect.defineMetadata(INTERCEPTORS_METADATA, [UNDECLARED_QUERY, ...own], handler);
      }
    }
  }
}
