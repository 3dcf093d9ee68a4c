import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ACTOR_TYPES, OPERATIONS, OUTCOMES } from '@auditlog/events';

/**
 * The filter query parameters of `parseEventFilters` (SPEC §5), documented once for every
 * filtered read (list, histogram, facets, export stream). They are dynamic (`context.<key>`,
 * repeatable), so they are declared here rather than as DTO properties (ADR 0030).
 */
const listQuery = (name: string, description: string, values?: readonly string[]) =>
  ApiQuery({
    name,
    required: false,
    description: `${description} Repeat the parameter (or separate values with commas) for OR.`,
    schema: {
      type: 'array',
      items: values ? { type: 'string', enum: [...values] } : { type: 'string' },
    },
    style: 'form',
    explode: true,
  });

const optional = (name: string, description: string, schema: SchemaObject = { type: 'string' }) =>
  ApiQuery({ name, required: false, description, schema });

/** Every filter of SPEC §5, shared by list, histogram and facets. */
/** The filter parameters; `sort: false` for reads in a fixed order (the tail). */
export const ApiEventFilters = ({ sort = true }: { sort?: boolean } = {}) =>
  applyDecorators(
    optional('from', 'Inclusive start, ISO 8601 (default: to minus 24 h).', {
      type: 'string',
      format: 'date-time',
    }),
    optional('to', 'Exclusive end, ISO 8601 (default: now).', {
      type: 'string',
      format: 'date-time',
    }),
    listQuery('action', 'Exact action, or a prefix ending in * (flow.*).'),
    listQuery('category', 'Category.'),
    listQuery('operation', 'Operation.', OPERATIONS),
    listQuery('actor_id', 'Actor id.'),
    listQuery('actor_email', 'Actor email.'),
    listQuery('actor_type', 'Actor type.', ACTOR_TYPES),
    listQuery('target_type', 'Target type.'),
    listQuery('target_id', 'Target id.'),
    listQuery('ancestor', 'type:id of an object; matches events on it or anywhere under it.'),
    listQuery('outcome', 'Outcome.', OUTCOMES),
    listQuery('source_tool', 'Source tool.'),
    listQuery('source_ip', 'IP address or CIDR block.'),
    ApiQuery({
      name: 'context',
      required: false,
      description: 'context.<key>=<value>, e.g. context.task_id=t-1 (repeatable, OR per key).',
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      style: 'deepObject',
    }),
    optional(
      'q',
      'Free text and qualifiers (action:, actor:, target:, outcome:, category:, operation:, tool:; - negates; "phrases"). See docs/query.md.',
    ),
    ...(sort
      ? [
          optional('sort', 'Order by timestamp, then id.', {
            type: 'string',
            enum: ['desc', 'asc'],
            default: 'desc',
          }),
        ]
      : []),
  );
