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

export const COMPANY_SETTINGS_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'company_id',
    'retention_class',
    'retention_days',
    'explicit',
    'updated_at',
    'updated_by',
  ],
  properties: {
    company_id: { type: 'string' },
    retention_class: { type: 'string', description: 'the effective class' },
    retention_days: { type: 'integer' },
    explicit: { type: 'boolean', description: 'false while the company uses the default class' },
    updated_at: { type: 'string', format: 'date-time', nullable: true },
    updated_by: { type: 'string', nullable: true },
  },
};

const INDEX_STATUS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['index', 'period_start', 'period_end', 'docs', 'size_bytes', 'read_only'],
  properties: {
    index: { type: 'string' },
    period_start: { type: 'string', format: 'date-time' },
    period_end: { type: 'string', format: 'date-time' },
    docs: { type: 'integer' },
    size_bytes: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    age_days: { type: 'integer' },
    read_only: { type: 'boolean' },
    lifecycle: { type: 'string', description: 'the ISM state, or sweeper' },
    deletes_after: { type: 'string', format: 'date-time', nullable: true },
  },
};

export const STORAGE_STATUS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['retention_enforcement', 'read_only_after_days', 'classes', 'unmanaged'],
  properties: {
    retention_enforcement: { type: 'string', enum: ['ism', 'sweeper'] },
    read_only_after_days: { type: 'integer' },
    classes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['retention_class', 'retention_days', 'granularity', 'indices'],
        properties: {
          retention_class: { type: 'string' },
          retention_days: { type: 'integer' },
          granularity: { type: 'string' },
          policy: { type: 'string', nullable: true },
          indices: { type: 'array', items: INDEX_STATUS_SCHEMA },
          docs: { type: 'integer' },
          size_bytes: { type: 'integer' },
        },
      },
    },
    unmanaged: { type: 'array', items: INDEX_STATUS_SCHEMA },
  },
};
