import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { OPERATIONS, TEMPLATE_PLACEHOLDERS } from '@auditlog/events';

const nullableString = { type: 'string', nullable: true } as const;

export const CATALOG_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['actions'],
  properties: {
    actions: {
      type: 'array',
      description: 'Sorted by count (descending), then action.',
      items: {
        type: 'object',
        required: [
          'action',
          'label',
          'description',
          'category',
          'operation',
          'template',
          'registered',
          'count',
        ],
        properties: {
          action: { type: 'string', example: 'flow.created' },
          label: { ...nullableString, description: 'null when the action is not registered' },
          description: nullableString,
          category: {
            type: 'string',
            description: 'as registered, else the segment before the first dot',
          },
          operation: { type: 'string', enum: [...OPERATIONS, null], nullable: true },
          template: {
            ...nullableString,
            description: `display template; placeholders: ${TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(' ')}`,
            example: '{actor.name} created flow {target.name}',
          },
          registered: {
            type: 'boolean',
            description: 'false for an action only seen in events',
          },
          count: {
            type: 'integer',
            description: "events of the caller's company with this action in the last 30 days",
          },
        },
      },
    },
  },
};
