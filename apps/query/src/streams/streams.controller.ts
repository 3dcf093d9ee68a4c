import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { InstallationAdminGuard, JwtAuthGuard } from '@auditlog/auth';
import { ApiProblem, BEARER_JWT } from '@auditlog/platform';
import type { StreamTestAnswer } from '@auditlog/streams';
import { OptionalBodyPipe } from './optional-body.pipe';
import { StreamTestService } from './stream-test.service';
import {
  CreateStreamBody,
  PauseStreamBody,
  ReplayStreamBody,
  StreamPath,
  UpdateStreamBody,
} from './streams.dto';
import { STREAM_LIST_SCHEMA, STREAM_SCHEMA, STREAM_TEST_SCHEMA } from './streams.openapi';
import { StreamsAdminService, type StreamView, type VersionedView } from './streams.service';

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description:
    'The ETag of the stream as read: the change applies only to that version (412 otherwise). Without it the change applies to the latest version.',
});

function answer(response: Response, written: VersionedView): StreamView {
  response.setHeader('ETag', written.etag);
  return written.stream;
}

/** Installation-admin API of SIEM push streams (docs/streams.md). */
@ApiTags('admin')
@ApiBearerAuth(BEARER_JWT)
@ApiProblem(401, 'No, an expired or an invalid bearer token')
@ApiProblem(403, 'Not an installation admin')
@ApiProblem(503, 'OpenSearch unavailable; retry after Retry-After')
@Controller('v1/admin/streams')
@UseGuards(JwtAuthGuard, InstallationAdminGuard)
export class StreamsController {
  constructor(
    private readonly streams: StreamsAdminService,
    private readonly tests: StreamTestService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a stream; secrets are write-only' })
  @ApiCreatedResponse({ schema: STREAM_SCHEMA })
  @ApiProblem(400, 'The body, the destination or start_at is invalid')
  @ApiProblem(409, 'The installation has the most streams it may have')
  async create(
    @Body() body: CreateStreamBody,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamView> {
    const created = await this.streams.create(body);
    response.setHeader('Location', `/v1/admin/streams/${created.stream.id}`);
    return answer(response, created);
  }

  @Get()
  @ApiOperation({ summary: 'Every stream with its state, oldest first' })
  @ApiOkResponse({ schema: STREAM_LIST_SCHEMA })
  async list(): Promise<{ streams: StreamView[] }> {
    return { streams: await this.streams.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stream with its state; the ETag names its version' })
  @ApiOkResponse({ schema: STREAM_SCHEMA })
  @ApiProblem(400, 'The id is invalid')
  @ApiProblem(404, 'No such stream')
  async get(
    @Param() path: StreamPath,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamView> {
    return answer(response, await this.streams.get(path.id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the definition; omitted secrets keep their stored values' })
  @IF_MATCH
  @ApiOkResponse({ schema: STREAM_SCHEMA })
  @ApiProblem(400, 'The body or the destination is invalid')
  @ApiProblem(404, 'No such stream')
  @ApiProblem(412, 'If-Match names an older version')
  async update(
    @Param() path: StreamPath,
    @Body() body: UpdateStreamBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamView> {
    return answer(response, await this.streams.update(path.id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a stream (its destination secrets with it)' })
  @IF_MATCH
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblem(400, 'The id is invalid')
  @ApiProblem(404, 'No such stream')
  @ApiProblem(412, 'If-Match names an older version')
  async remove(
    @Param() path: StreamPath,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.streams.remove(path.id, ifMatch);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop delivery where it is, with an optional reason' })
  @IF_MATCH
  @ApiOkResponse({ schema: STREAM_SCHEMA })
  @ApiProblem(400, 'The body is invalid')
  @ApiProblem(404, 'No such stream')
  @ApiProblem(412, 'If-Match names an older version')
  async pause(
    @Param() path: StreamPath,
    @Body(OptionalBodyPipe) body: PauseStreamBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamView> {
    return answer(response, await this.streams.pause(path.id, body.reason, ifMatch));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver again from the cursor; clears the failing state' })
  @IF_MATCH
  @ApiOkResponse({ schema: STREAM_SCHEMA })
  @ApiProblem(400, 'The id is invalid')
  @ApiProblem(404, 'No such stream')
  @ApiProblem(412, 'If-Match names an older version')
  async resume(
    @Param() path: StreamPath,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamView> {
    return answer(response, await this.streams.resume(path.id, ifMatch));
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver again every event received from a time within retention' })
  @IF_MATCH
  @ApiOkResponse({ schema: STREAM_SCHEMA })
  @ApiProblem(400, 'from is invalid, in the future or beyond retention')
  @ApiProblem(404, 'No such stream')
  @ApiProblem(412, 'If-Match names an older version')
  async replay(
    @Param() path: StreamPath,
    @Body() body: ReplayStreamBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamView> {
    return answer(response, await this.streams.replay(path.id, body.from, ifMatch));
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: "Send one test event through the maintenance worker; the destination's answer",
  })
  @ApiOkResponse({ schema: STREAM_TEST_SCHEMA })
  @ApiProblem(400, 'The id is invalid')
  @ApiProblem(404, 'No such stream')
  @ApiProblem(502, 'The maintenance worker could not run the test')
  @ApiProblem(504, 'The maintenance worker did not answer in time')
  test(@Param() path: StreamPath, @Req() request: { id?: unknown }): Promise<StreamTestAnswer> {
    return this.tests.test(path.id, typeof request.id === 'string' ? request.id : undefined);
  }
}
