import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  CurrentPrincipal,
  fixedFiltersDigest,
  isAdmin,
  type Principal,
  RequirePermission,
  requireUnrestricted,
  resolveCompany,
  restrictFilters,
} from '@auditlog/auth';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { createEgressPolicy, type EgressPolicy } from '@auditlog/egress';
import { ProblemException } from '@auditlog/problem';
import { ApiEventFilters, CompanyQuery, EventFiltersPipe } from '@auditlog/platform';
import { EventScanner } from '@auditlog/opensearch';
import { CONTENT_TYPES } from '../format/row-writer';
import { type ExportView, toView } from '@auditlog/export-jobs';
import { ExportAuditService } from './export-audit.service';
import { parseCreateExport } from './export-request';
import { CreateExportBody, DownloadQuery, ExportListQuery, StreamQuery } from './exports.dto';
import { EventExportWriter } from '../format/event-export.writer';
import { ExportDownloads } from './export-downloads.service';
import { checkStreamSize, notFound, type ExportScope, ExportsService } from './exports.service';
import {
  ApiExportAuthProblems,
  ApiExportDownloadProblems,
  ApiExportJobProblems,
  ApiExportNotFound,
  ApiExportStreamProblems,
  ApiFileResponse,
  EXPORT_LIST_SCHEMA,
  EXPORT_SCHEMA,
} from './exports.openapi';

const EXPORT_ID = /^exp_[0-9a-f]{32}$/;

@ApiTags('exports')
@ApiExportAuthProblems()
@Controller('v1/exports')
@RequirePermission('export')
export class ExportsController {
  private readonly egress: EgressPolicy;

  constructor(
    private readonly exports: ExportsService,
    private readonly writer: EventExportWriter,
    private readonly scanner: EventScanner,
    private readonly audit: ExportAuditService,
    private readonly downloads: ExportDownloads,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.egress = createEgressPolicy(config.egress);
  }

  @Get('stream')
  @ApiOperation({
    summary:
      'Streamed download of up to EXPORT_STREAM_MAX_ROWS events (same filters as GET /v1/events)',
  })
  @ApiEventFilters()
  @ApiExportStreamProblems()
  @ApiFileResponse('The file, streamed', Object.values(CONTENT_TYPES))
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Query(EventFiltersPipe) query: StreamQuery,
    @Res() response: Response,
  ): Promise<void> {
    const scope = this.scopeOf(principal, query.company_id);
    const format = query.format ?? 'csv';
    // The fixed filters come from the principal, never from the request.
    const filters = restrictFilters(principal, query.filters);
    const matching = await this.scanner.count(scope.companyId, filters);
    checkStreamSize(matching, this.config.export.streamMaxRows);

    this.downloads.startStream(response, scope.companyId, format);
    const { rows } = await this.writer.write(
      response,
      scope.companyId,
      filters,
      format,
      scope.admin,
    );
    response.end();
    const { company_id: _company, format: _format, ...requested } = query.params;
    this.audit.exported(principal, scope.companyId, {
      kind: 'stream',
      format,
      filters: { ...requested, from: query.filters.from, to: query.filters.to },
      rows,
    });
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Create an export job; a worker writes the file' })
  @ApiAcceptedResponse({
    schema: {
      type: 'object',
      required: ['id', 'status'],
      properties: { id: { type: 'string' }, status: { type: 'string', enum: ['queued'] } },
    },
    headers: {
      Location: { description: 'The export: /v1/exports/{id}', schema: { type: 'string' } },
    },
  })
  @ApiExportJobProblems()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateExportBody,
    @Req() request: Request & { id?: string },
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string; status: 'queued' }> {
    const parsed = parseCreateExport(body, new Date(), this.config.query, this.egress);
    if (!parsed.ok)
      throw ProblemException.badRequest('The export request is invalid.', parsed.errors);
    const scope = this.scopeOf(principal, parsed.value.companyId);
    if (parsed.value.includeIntegrity) requireUnrestricted(principal, 'include_integrity');
    // Stored with the job (record.query), so the worker applies the fixed filters too.
    const job = { ...parsed.value, filters: restrictFilters(principal, parsed.value.filters) };
    const record = await this.exports.create(scope, job, String(request.id ?? ''));
    this.audit.exported(principal, scope.companyId, {
      kind: 'job',
      format: record.format,
      filters: record.filters,
      export_id: record.id,
      name: record.name,
    });
    response.setHeader('Location', `/v1/exports/${record.id}`);
    return { id: record.id, status: 'queued' };
  }

  @Get()
  @ApiOperation({ summary: "The caller's company export history, newest first" })
  @ApiOkResponse({ schema: EXPORT_LIST_SCHEMA })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ExportListQuery,
  ): Promise<{ data: ExportView[] }> {
    const scope = this.scopeOf(principal, query.company_id);
    return { data: await this.exports.list(scope, query.limit ?? 100) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One export' })
  @ApiOkResponse({ schema: EXPORT_SCHEMA })
  @ApiExportNotFound()
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: CompanyQuery,
  ): Promise<ExportView> {
    const scope = this.lookup(principal, id, query.company_id);
    return toView(await this.exports.get(scope, id));
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'The file of a completed, unexpired export, or its integrity files' })
  @ApiFileResponse('The file (or, with part, its integrity file as JSON)', [
    ...Object.values(CONTENT_TYPES),
    'application/json; charset=utf-8',
  ])
  @ApiExportNotFound()
  @ApiExportDownloadProblems()
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: DownloadQuery,
    @Res() response: Response,
  ): Promise<void> {
    const scope = this.lookup(principal, id, query.company_id);
    const part = query.part ?? 'events';
    const record = await this.exports.downloadable(scope, id);
    if (part !== 'events') return this.downloads.sendIntegrity(response, record, part);
    // Recorded once the file is open and sending starts: a client that drops the connection
    // early has still been handed the data.
    await this.downloads.sendEvents(response, record, () =>
      this.audit.exported(principal, scope.companyId, {
        kind: 'download',
        format: record.format,
        filters: record.filters,
        export_id: record.id,
        name: record.name,
        rows: record.rows ?? undefined,
      }),
    );
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a queued or running job, or delete the file of a completed export',
  })
  @ApiOkResponse({ schema: EXPORT_SCHEMA })
  @ApiExportNotFound()
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: CompanyQuery,
  ): Promise<ExportView> {
    const scope = this.lookup(principal, id, query.company_id);
    return toView(await this.exports.cancelOrDelete(scope, id));
  }

  private scopeOf(principal: Principal, requested: string | undefined): ExportScope {
    return {
      companyId: resolveCompany(principal, requested),
      admin: isAdmin(principal),
      subject: principal.subject,
      restriction: fixedFiltersDigest(principal),
    };
  }

  private lookup(principal: Principal, id: string, companyId: string | undefined): ExportScope {
    const scope = this.scopeOf(principal, companyId);
    if (!EXPORT_ID.test(id)) throw notFound(id);
    return scope;
  }
}
