import { Controller, Get, Inject, Param, Redirect, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig, type ConsoleConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import { CACHE_CONTROL, consoleFileFor, consoleHeaders } from './console-headers';

/** What the console reads at start: where the export API is, as the browser reaches it. */
export interface ConsoleRuntimeConfig {
  exportUrl: string;
}

function notBuilt(): ProblemException {
  return new ProblemException(
    404,
    'not-found',
    'Not Found',
    'No such console file. If the console itself is missing, build it with `npm run build`.',
  );
}

/**
 * Serves the built console at `/console/` (ADR 0080): hashed assets cached for a year,
 * `index.html` never cached, a strict CSP on every response. `/` leads to the console so
 * that an operator opens one URL.
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  private readonly console: ConsoleConfig;
  private readonly headers: Record<string, string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.console = config.console;
    this.headers = consoleHeaders(config.console);
  }

  @Get()
  @Redirect('/console/', 302)
  root(): void {}

  @Get('console/config.json')
  runtimeConfig(@Res({ passthrough: true }) response: Response): ConsoleRuntimeConfig {
    response.set({ ...this.headers, 'Cache-Control': CACHE_CONTROL.never });
    return { exportUrl: this.console.exportUrl };
  }

  @Get('console/*path')
  file(@Param('path') path: string | string[], @Res() response: Response): Promise<void> {
    const relative = Array.isArray(path) ? path.join('/') : path;
    return this.send(response, relative);
  }

  /**
   * `GET /console/` itself (`*path` needs a segment). Express routes `/console` here too;
   * it is sent to `/console/` so that the page's relative URLs resolve below it.
   */
  @Get('console')
  async index(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!request.path.endsWith('/')) {
      const query = request.originalUrl.slice(request.path.length);
      response.redirect(302, `/console/${query}`);
      return;
    }
    await this.send(response, '');
  }

  private send(response: Response, relative: string): Promise<void> {
    const { file, cache } = consoleFileFor(relative);
    return new Promise((resolve, reject) => {
      response.sendFile(
        file,
        {
          root: this.console.dir,
          dotfiles: 'deny',
          cacheControl: false,
          headers: { ...this.headers, 'Cache-Control': CACHE_CONTROL[cache] },
        },
        (error?: Error) => {
          if (!error) resolve();
          else if (response.headersSent) resolve();
          else reject(notBuilt());
        },
      );
    });
  }
}
