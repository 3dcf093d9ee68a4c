import 'reflect-metadata';
import { Controller, Get, Module, Param, Query } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  refuseUndeclaredQueries,
  UndeclaredQueryInterceptor,
} from './undeclared-query.interceptor';

class PageQuery {
  limit?: string;
}

@Controller('things')
class ThingsController {
  @Get()
  list(@Query() query: PageQuery): PageQuery {
    return query;
  }

  @Get(':id')
  one(@Param('id') id: string): string {
    return id;
  }

  /** Not a route: left alone. */
  helper(): string {
    return 'x';
  }
}

@Controller('more')
class MoreThingsController extends ThingsController {
  @Get('plain')
  plain(): string {
    return 'plain';
  }
}

@ApiExcludeController()
@Controller('files')
class FilesController {
  @Get(':name')
  file(@Param('name') name: string): string {
    return name;
  }
}

@Module({ controllers: [ThingsController, MoreThingsController, FilesController] })
class ThingsModule {}

/** The route interceptors of `controller.prototype[name]`. */
const interceptorsOf = (controller: { prototype: object }, name: string): unknown[] =>
  (Reflect.getMetadata(
    INTERCEPTORS_METADATA,
    (controller.prototype as Record<string, object>)[name] as object,
  ) ?? []) as unknown[];

describe('refuseUndeclaredQueries', () => {
  it('puts the check on exactly the documented routes that take no query, once', async () => {
    const app = await NestFactory.create(ThingsModule, { logger: false });
    try {
      refuseUndeclaredQueries(app);
      refuseUndeclaredQueries(app);
      const [check] = interceptorsOf(ThingsController, 'one');
      expect(check).toBeInstanceOf(UndeclaredQueryInterceptor);
      expect(interceptorsOf(ThingsController, 'one')).toHaveLength(1);
      expect(interceptorsOf(MoreThingsController, 'plain')).toEqual([check]);
      expect(interceptorsOf(ThingsController, 'list')).toEqual([]);
      expect(interceptorsOf(ThingsController, 'helper')).toEqual([]);
      expect(interceptorsOf(FilesController, 'file')).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
