import 'reflect-metadata';
import { type CanActivate, Controller, Get, Module, Param, Query, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { refuseUndeclaredQueries, UndeclaredQueryGuard } from './undeclared-query.guard';

/** A route's own guard: the check must come after it. */
class OwnGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

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
  @UseGuards(OwnGuard)
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

/** The route guards of `controller.prototype[name]`. */
const guardsOf = (controller: { prototype: object }, name: string): unknown[] =>
  (Reflect.getMetadata(
    GUARDS_METADATA,
    (controller.prototype as Record<string, object>)[name] as object,
  ) ?? []) as unknown[];

describe('refuseUndeclaredQueries', () => {
  it('puts the check last on exactly the documented routes that take no query, once', async () => {
    const app = await NestFactory.create(ThingsModule, { logger: false });
    try {
      refuseUndeclaredQueries(app);
      refuseUndeclaredQueries(app);
      const [own, check] = guardsOf(ThingsController, 'one');
      expect(own).toBe(OwnGuard);
      expect(check).toBeInstanceOf(UndeclaredQueryGuard);
      expect(guardsOf(ThingsController, 'one')).toHaveLength(2);
      expect(guardsOf(MoreThingsController, 'plain')).toEqual([check]);
      expect(guardsOf(ThingsController, 'list')).toEqual([]);
      expect(guardsOf(ThingsController, 'helper')).toEqual([]);
      expect(guardsOf(FilesController, 'file')).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
