import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CompanyIdParam, SingleParam } from '@auditlog/platform';

/** `from`/`to` over `received_at` (at most 31 days), and the company of an admin. */
export class IntegrityRangeQuery {
  @CompanyIdParam()
  company_id?: string;

  @SingleParam({
    description: 'Inclusive start over received_at, ISO 8601 (default: to minus 24 h).',
    format: 'date-time',
  })
  from?: string;

  @SingleParam({
    description: 'Exclusive end over received_at, ISO 8601 (default: now).',
    format: 'date-time',
  })
  to?: string;
}

const window = {
  window_start: { type: 'string', format: 'date-time' },
  window_end: { type: 'string', format: 'date-time' },
} as const;

export const PUBLIC_KEYS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key_id', 'algorithm', 'jwk', 'pem', 'current'],
        properties: {
          key_id: { type: 'string' },
          algorithm: { type: 'string', enum: ['Ed25519'] },
          jwk: {
            type: 'object',
            description: 'RFC 8037 OKP JSON Web Key',
            required: ['kty', 'crv', 'x', 'kid'],
            properties: {
              kty: { type: 'string', enum: ['OKP'] },
              crv: { type: 'string', enum: ['Ed25519'] },
              x: { type: 'string' },
              kid: { type: 'string' },
            },
          },
          pem: { type: 'string' },
          current: { type: 'boolean', description: 'the key that signs new digests' },
        },
      },
    },
  },
};

export const DIGEST_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'version',
    'company_id',
    'window_start',
    'window_end',
    'event_count',
    'merkle_root',
    'leaves',
    'previous_digest_hash',
    'key_id',
    'created_at',
    'signature',
  ],
  properties: {
    version: { type: 'integer' },
    company_id: { type: 'string' },
    ...window,
    event_count: { type: 'integer' },
    merkle_root: { type: 'string', description: 'RFC 6962 Merkle Tree Hash (hex)' },
    leaves: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'hash'],
        properties: { id: { type: 'string' }, hash: { type: 'string' } },
      },
    },
    previous_digest_hash: { type: 'string', nullable: true },
    key_id: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    signature: { type: 'string', description: 'base64 Ed25519 signature' },
  },
};

const listOf = (properties: Record<string, SchemaObject>): SchemaObject => ({
  type: 'array',
  items: { type: 'object', properties },
});

export const VERIFY_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      required: ['status', 'detail'],
      properties: {
        status: { type: 'string', enum: ['not_configured'] },
        detail: { type: 'string' },
      },
    },
    {
      type: 'object',
      required: ['status', 'company_id', 'from', 'to', 'digests', 'events', 'truncated'],
      properties: {
        status: { type: 'string', enum: ['ok', 'failed'] },
        company_id: { type: 'string' },
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
        digests: { type: 'integer' },
        events: { type: 'integer' },
        modified: { type: 'array', items: { type: 'object', additionalProperties: true } },
        missing: listOf({ id: { type: 'string' }, window_start: window.window_start }),
        unexpected: listOf({
          id: { type: 'string' },
          received_at: { type: 'string', format: 'date-time' },
        }),
        expired: listOf({ ...window, event_count: { type: 'integer' } }),
        chain: { type: 'array', items: { type: 'object', additionalProperties: true } },
        unsealed: { type: 'integer' },
        pending: { type: 'integer' },
        truncated: { type: 'boolean' },
      },
    },
  ],
};
