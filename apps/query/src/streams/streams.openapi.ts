import type { ApiPropertyOptions } from '@nestjs/swagger';
import { DESTINATION_TYPES } from '@auditlog/stream-destinations';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const url = { type: 'string', format: 'uri', maxLength: 2048 } as const;
const text = { type: 'string', minLength: 1, maxLength: 256 } as const;
const secret = (description: string): SchemaObject => ({
  type: 'string',
  writeOnly: true,
  description: `${description} Write-only: never returned; omitted on PATCH keeps the stored value.`,
});
const pem = { type: 'string', description: 'PEM of the CA certificates to trust.' } as const;

const destination = (
  type: string | string[],
  required: string[],
  properties: Record<string, SchemaObject>,
): SchemaObject => ({
  type: 'object',
  required: ['type', ...required],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: Array.isArray(type) ? type : [type] },
    ...properties,
  },
});

/** What a destination takes, per type (docs/streams-destinations.md). */
export const DESTINATION_INPUT_SCHEMA: ApiPropertyOptions = {
  description:
    'Where the stream delivers, by type. https URLs only unless STREAM_DESTINATIONS_ALLOW_HTTP=true.',
  oneOf: [
    destination('splunk_hec', ['url', 'token'], {
      url,
      token: secret('HEC token.'),
      index: text,
      sourcetype: text,
      source: text,
    }),
    destination('datadog', ['api_key'], {
      site_url: url,
      api_key: secret('Datadog API key.'),
      ddsource: text,
      service: text,
      tags: { type: 'array', items: { type: 'string' }, maxItems: 100 },
    }),
    destination('webhook', ['url', 'signing_secret'], {
      url,
      format: { type: 'string', enum: ['json', 'ndjson'] },
      signing_secret: secret('HMAC-SHA256 key, at least 16 characters.'),
      headers: {
        type: 'object',
        writeOnly: true,
        maxProperties: 20,
        additionalProperties: { type: 'string' },
        description: 'Extra headers; their values are write-only (header_names is returned).',
      },
    }),
    destination('syslog', ['host', 'port'], {
      host: { type: 'string' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      tls: { type: 'boolean' },
      ca: pem,
      format: { type: 'string', enum: ['rfc5424', 'cef'] },
      facility: { type: 'integer', minimum: 0, maximum: 23 },
      app_name: { type: 'string', maxLength: 48 },
    }),
    destination(['opensearch_bulk', 'elasticsearch_bulk'], ['url', 'index'], {
      url,
      index: { type: 'string', pattern: '^[a-z0-9][a-z0-9._+-]{0,254}$' },
      username: text,
      password: secret('Basic auth password (with username).'),
      api_key: secret('Sent as Authorization: ApiKey.'),
      ca: pem,
    }),
  ],
};

const date = { type: 'string', format: 'date-time' } as const;
const filters: SchemaObject = {
  type: 'object',
  properties: {
    categories: { type: 'array', items: { type: 'string' } },
    action_prefixes: { type: 'array', items: { type: 'string' } },
    outcomes: { type: 'array', items: { type: 'string', enum: ['success', 'failure'] } },
  },
};

export const STREAM_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'id',
    'name',
    'company_id',
    'filters',
    'destination',
    'batch',
    'pause_after_failing_seconds',
    'on_rejected',
    'created_at',
    'updated_at',
    'state',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    company_id: { type: 'string', nullable: true, description: 'null: every company' },
    filters,
    destination: {
      type: 'object',
      required: ['type'],
      description:
        'The destination without secrets: each secret that is set shows as <field>_set: true, webhook headers as header_names.',
      properties: {
        type: {
          type: 'string',
          enum: [...DESTINATION_TYPES],
        },
      },
      additionalProperties: true,
    },
    batch: {
      type: 'object',
      required: ['max_events', 'max_wait_ms'],
      properties: { max_events: { type: 'integer' }, max_wait_ms: { type: 'integer' } },
    },
    pause_after_failing_seconds: { type: 'integer' },
    on_rejected: { type: 'string', enum: ['pause', 'dead_letter'] },
    created_at: date,
    updated_at: date,
    state: {
      type: 'object',
      required: [
        'status',
        'cursor',
        'start_at',
        'delivered_events',
        'failed_attempts',
        'dead_lettered_batches',
      ],
      properties: {
        status: { type: 'string', enum: ['active', 'paused', 'failing'] },
        paused_reason: { type: 'string' },
        cursor: {
          type: 'object',
          nullable: true,
          description: 'Everything up to here was acknowledged; null: delivery starts at start_at.',
          required: ['indexed_at', 'company_id', 'id'],
          properties: {
            indexed_at: { type: 'integer', description: 'epoch milliseconds' },
            company_id: { type: 'string' },
            id: { type: 'string' },
          },
        },
        start_at: date,
        delivered_events: { type: 'integer' },
        failed_attempts: { type: 'integer' },
        dead_lettered_batches: { type: 'integer' },
        last_success_at: date,
        last_error: { type: 'string' },
        last_error_at: date,
        failing_since: date,
      },
    },
  },
};

export const STREAM_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['streams'],
  properties: { streams: { type: 'array', items: STREAM_SCHEMA } },
};

export const STREAM_TEST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['result', 'destination_type', 'duration_ms'],
  properties: {
    result: {
      type: 'object',
      required: ['kind'],
      description:
        "The destination's answer to one test event: delivered, retry (transient) or rejected.",
      properties: {
        kind: { type: 'string', enum: ['delivered', 'retry', 'rejected'] },
        status: { type: 'integer', description: 'HTTP status, where the protocol has one' },
        retryAfterMs: { type: 'integer' },
        error: { type: 'string' },
      },
    },
    destination_type: { type: 'string' },
    duration_ms: { type: 'integer' },
  },
};
