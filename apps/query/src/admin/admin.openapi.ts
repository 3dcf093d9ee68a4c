import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export const COMPANY_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['companies'],
  properties: {
    companies: {
      type: 'array',
      description:
        'Companies with events in the last 30 days or with explicit settings, sorted by company_id.',
      items: {
        type: 'object',
        required: ['company_id', 'retention_class', 'events_last_30d'],
        properties: {
          company_id: { type: 'string' },
          retention_class: { type: 'string', description: 'the effective class' },
          events_last_30d: { type: 'integer' },
        },
      },
    },
  },
};
