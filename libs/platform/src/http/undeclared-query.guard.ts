import {
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  Injectable,
} from '@nestjs/common';
import { GUARDS_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { Request } from 'express';
import { unknownFieldProblem } from '@auditlog/events';
import { invalidInput } from './validation.pipe';

/** `@ApiExcludeController()` metadata (@nestjs/swagger DECORATORS.API_EXCLUDE_CONTROLLER). */
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

/**
 * A documented route that takes no query (`@Query()` nowhere in its handler) refuses any
 * query parameter, as a route with a query DTO refuses an undeclared one (ADR 0092): the
 * OpenAPI document lists exactly what each route accepts. Controllers left out of the
 * reference (the console's files) are not checked.
 *
 * Attached by `refuseUndeclaredQueries` as the last guard of exactly the routes that take
 * no query: it runs after the global, controller and route guards, so 401 and 403 come
 * first, and before the pipes. Neither global nor an interceptor: an interceptor costs
 * every request it sees Nest's interceptor plumbing (async-context binding and RxJS,
 * ~0.15 ms of a list page's CPU and ~80 µs of a stored single event, ADR 0170), and a
 * global guard would run before the controllers' guards (400 before 401).
 */
@Injectable()
export class UndeclaredQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
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
    return true;
  }
}

/** One instance for every route (it holds no state). */
const UNDECLARED_QUERY = new UndeclaredQueryGuard();

/** Whether a route handler takes a query (`@Query()` on one of its parameters). */
function takesQuery(controller: object, handlerName: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<
    string,
    unknown
  >;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
}

/**
 * Puts `UndeclaredQueryGuard` last among the route guards of every documented route
 * handler that takes no query. Must run before `app.init()` registers the routes
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
        const own = (Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[];
        if (own.includes(UNDECLARED_QUERY)) continue;
        Reflect.defineMetadata(GUARDS_METADATA, [...own, UNDECLARED_QUERY], handler);
      }
    }
  }
}
