import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { eventJsonSchema } from '@auditlog/events';

/**
 * The producer event's JSON Schema, derived from the same rule table as ingest
 * validation. Public on purpose: it is the documented contract (SPEC §3) and holds no
 * tenant data, and SIEM teams who read it hold no ingest key (docs/ingest.md).
 */
@Controller('v1/schema')
export class SchemaController {
  /** Serialised once per process: the schema cannot change while it runs. */
  private readonly eventSchema = JSON.stringify(eventJsonSchema(), null, 2);

  @Get('event')
  @ApiTags('schema')
  @ApiOperation({ summary: "The producer event's JSON Schema (draft 2020-12), public" })
  @ApiOkResponse({
    description: 'The JSON Schema',
    content: {
      'application/schema+json': { schema: { type: 'object', additionalProperties: true } },
    },
  })
  @Header('Content-Type', 'application/schema+json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  event(): string {
    return this.eventSchema;
  }
}
