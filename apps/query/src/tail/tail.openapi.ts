import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EVENT_SCHEMA } from '../events/events.openapi';

export const TAIL_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['data', 'after', 'watermark'],
  properties: {
    data: {
      type: 'array',
      items: EVENT_SCHEMA,
      description: 'ascending by storage time (ingest.indexed_at), then company, then id',
    },
    after: {
      type: 'string',
      description:
        'always present, also after an empty page: send it as after to continue; events are delivered at least once, de-duplicate by company_id and id',
    },
    watermark: {
      type: 'string',
      format: 'date-time',
      description:
        'every event stored before this instant is in this page or an earlier one (now minus TAIL_SETTLE_SECONDS)',
    },
  },
};
