import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import {
  ACTION_ENTRY_LIMITS,
  ACTION_PATTERN,
  MAX_ACTION_LENGTH,
  OPERATIONS,
  TEMPLATE_PLACEHOLDERS,
} from '@auditlog/events';

const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const TEMPLATE_HELP = `display template; placeholders: ${TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(' ')}`;

/** The body of `PUT /v1/catalog/actions/{action}` (validated by `parseActionEntry`). */
export const ACTION_ENTRY_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', minLength: 1, maxLength: ACTION_ENTRY_LIMITS.label },
    description: nullable({ type: 'string', maxLength: ACTION_ENTRY_LIMITS.description }),
    category: nullable({
      type: 'string',
      pattern: '^[a-z0-9_]{1,64}$',
      description: 'default: the segment before the first dot of the action',
    }),
    operation: nullable({ type: 'string', enum: [...OPERATIONS, null] }),
    template: nullable({
      type: 'string',
      maxLength: ACTION_ENTRY_LIMITS.template,
      description: TEMPLATE_HELP,
      example: '{actor.name} created flow {target.name}',
    }),
  },
};

export const ACTION_ENTRY_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'action',
    'label',
    'description',
    'category',
    'operation',
    'template',
    'updated_at',
    'updated_by',
  ],
  properties: {
    action: { type: 'string', example: 'flow.created' },
    label: { type: 'string' },
    description: nullable({ type: 'string' }),
    category: { type: 'string' },
    operation: nullable({ type: 'string', enum: [...OPERATIONS, null] }),
    template: nullable({ type: 'string', description: TEMPLATE_HELP }),
    updated_at: { type: 'string', format: 'date-time' },
    updated_by: { type: 'string', description: 'the ingest key id that registered this version' },
  },
};

export const ApiPutActionEntry = () =>
  applyDecorators(
    ApiTags('catalog'),
    ApiOperation({
      summary: 'Register (replace) how an action is shown: label, description, display template',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: ACTION_ENTRY_BODY_SCHEMA } },
      },
    }),
    ApiParam({
      name: 'action',
      description: 'The action, dotted lowercase like flow.created',
      schema: { type: 'string', pattern: ACTION_PATTERN.source, maxLength: MAX_ACTION_LENGTH },
    }),
    ApiResponse({
      status: 200,
      description: 'The stored entry',
      content: { 'application/json': { schema: ACTION_ENTRY_SCHEMA } },
    }),
  );
