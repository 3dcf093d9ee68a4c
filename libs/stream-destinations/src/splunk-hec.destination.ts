import { gzipSync } from 'node:zlib';
import type { AuditEvent } from '@auditlog/events';
import type { DeliveryResult, SplunkHecDestination } from './destination';
import {
  classifyAnswer,
  type HttpAnswer,
  HttpDestination,
  httpError,
  type HttpPost,
} from './http-client';
import type { ResolvedOptions } from './resolved-options';

export const HEC_PATH = '/services/collector/event';
export const HEC_DEFAULT_SOURCE = 'auditlog';
export const HEC_DEFAULT_SOURCETYPE = '_json';

/** Bodies above this size are sent gzip-compressed (HEC accepts `Content-Encoding: gzip`). */
const GZIP_FROM_BYTES = 1024;

/**
 * HEC answer codes that name a collector-side setting (unknown index, indexer
 * acknowledgment required, channel) rather than bad data: every batch would meet them, so
 * they are retried until the stream pauses with the reason.
 */
const HEC_SETTING_CODES = new Set([7, 10, 11, 14, 16]);

export interface HecEnvelope {
  time: number;
  host?: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: AuditEvent;
}

/** HEC `time`: epoch seconds with milliseconds as the fraction. */
export function hecTime(timestamp: string): number {
  return Math.round(Date.parse(timestamp)) / 1000;
}

export function hecEnvelope(
  event: AuditEvent,
  config: SplunkHecDestination,
  host: string | undefined,
): HecEnvelope {
  return {
    time: hecTime(event.timestamp),
    ...(host ? { host } : {}),
    source: config.source ?? HEC_DEFAULT_SOURCE,
    sourcetype: config.sourcetype ?? HEC_DEFAULT_SOURCETYPE,
    ...(config.index ? { index: config.index } : {}),
    event,
  };
}

/** The HEC batch body: one JSON object per event, newline-separated (HEC reads them in a row). */
export function hecBody(
  events: readonly AuditEvent[],
  config: SplunkHecDestination,
  host?: string,
): string {
  return events.map((event) => JSON.stringify(hecEnvelope(event, config, host))).join('\n');
}

function hecCode(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return typeof parsed.code === 'number' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

/** Maps a HEC answer: 200 with code 0 is delivered; data errors are rejected. */
export function classifyHecAnswer(answer: HttpAnswer, secrets: readonly string[]): DeliveryResult {
  const code = hecCode(answer.body);
  if (answer.status === 200 && (code === undefined || code === 0)) {
    return { kind: 'delivered', status: 200 };
  }
  if (answer.status === 400 && code !== undefined && HEC_SETTING_CODES.has(code)) {
    return { kind: 'retry', status: 400, error: httpError(answer, secrets) };
  }
  const result = classifyAnswer(answer, secrets);
  return result.kind === 'delivered'
    ? { kind: 'retry', status: answer.status, error: httpError(answer, secrets) }
    : result;
}

export class SplunkHecSender extends HttpDestination {
  constructor(
    private readonly config: SplunkHecDestination,
    private readonly options: ResolvedOptions,
  ) {
    super(config.url, options, [config.token]);
  }

  protected requests(events: readonly AuditEvent[]): HttpPost[] {
    const text = Buffer.from(hecBody(events, this.config, this.options.hostname));
    const compress = text.length >= GZIP_FROM_BYTES;
    const headers: Record<string, string> = {
      Authorization: `Splunk ${this.config.token}`,
      'Content-Type': 'application/json',
      ...(compress ? { 'Content-Encoding': 'gzip' } : {}),
    };
    return [{ path: HEC_PATH, headers, body: compress ? gzipSync(text) : text }];
  }

  protected override classify(answer: HttpAnswer): DeliveryResult {
    return classifyHecAnswer(answer, this.secrets);
  }
}
