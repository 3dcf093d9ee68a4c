import { Controller, HttpCode, Param, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { IngestKeyGuard, type IngestRequest } from '@auditlog/auth';
import { type ActionCatalogEntry, parseActionEntry } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import { ActionCatalogRepository } from '@auditlog/catalog';
import { parseJson, readRequestBody } from '../events/request-body';
import { ApiIngestProblems } from '../events/events.openapi';
import { ApiPutActionEntry } from './catalog.openapi';

/** An entry is a few hundred characters; anything near this is not a catalog entry. */
const MAX_ENTRY_BYTES = 16 * 1024;

/**
 * `PUT /v1/catalog/actions/{action}`: producers register how an action is shown (label,
 * description, display template). Installation-wide, idempotent: the same PUT again stores
 * the same entry with a new `updated_at`. See docs/catalog.md.
 */
@ApiIngestProblems()
@Controller('v1/catalog/actions')
@UseGuards(IngestKeyGuard)
export class CatalogController {
  constructor(private readonly catalog: ActionCatalogRepository) {}

  @Put(':action')
  @HttpCode(200)
  @ApiPutActionEntry()
  async put(
    @Param('action') action: string,
    @Req() request: IngestRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ActionCatalogEntry> {
    const { text } = await readRequestBody(request, response, {
      maxBytes: MAX_ENTRY_BYTES,
      allowNdjson: false,
    });
    const parsed = parseActionEntry(action, parseJson(text));
    if (!parsed.ok) {
      throw ProblemException.badRequest('The catalog entry is invalid.', parsed.errors);
    }
    return this.catalog.put({
      ...parsed.entry,
      updated_at: new Date().toISOString(),
      updated_by: request.ingestKey.id,
    });
  }
}
