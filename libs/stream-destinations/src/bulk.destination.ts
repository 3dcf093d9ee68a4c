import type { AuditEvent } from '@auditlog/events';
import type { BulkDestination, DeliveryResult } from './destination';
import { bulkDocumentId, ecsDocument } from './ecs-document';
import {
  classifyAnswer,
  excerpt,
  type HttpAnswer,
  HttpDestination,
  type HttpPost,
  isTransientStatus,
} from './http-client';
import type { ResolvedOptions } from './resolved-options';

/** Only what the classification reads, so a large batch's answer stays small. */
const FILTER_PATH = 'errors,items.*.status,items.*._id,items.*.error.type,items.*.error.reason';

export function bulkBody(
  events: readonly AuditEvent[],
  index: string,
  observer: { hostname: string; version: string },
): string {
  return events
    .map(
      (event) =>
        `${JSON.stringify({ create: { _index: index, _id: bulkDocumentId(event) } })}\n${JSON.stringify(ecsDocument(event, observer))}\n`,
    )
    .join('');
}

interface BulkItem {
  status?: number;
  _id?: string;
  error?: { type?: string; reason?: string };
}

/**
 * Item statuses that say the cluster cannot take writes now or is set up wrong (index
 * missing with auto-create off, read-only block): retried. A conflict (409) is the
 * document already being there from an earlier delivery of the same batch: delivered.
 */
function itemRetryable(status: number): boolean {
  return isTransientStatus(status) || status === 401 || status === 403 || status === 404;
}

/**
 * Maps a `_bulk` answer: every item created or already present is delivered; any item
 * worth retrying makes the whole batch retry (re-sending is idempotent by `_id`); else any
 * refused item (a mapping conflict, say) rejects the batch, naming the first.
 */
export function classifyBulkAnswer(answer: HttpAnswer, secrets: readonly string[]): DeliveryResult {
  if (answer.status < 200 || answer.status >= 300) return classifyAnswer(answer, secrets);
  let parsed: { errors?: boolean; items?: Array<Record<string, BulkItem>> };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    return {
      kind: 'retry',
      status: answer.status,
      error: `unreadable _bulk answer: ${excerpt(answer.body, secrets)}`,
    };
  }
  if (!parsed.errors) return { kind: 'delivered', status: answer.status };
  const failed = (parsed.items ?? [])
    .map((item) => Object.values(item)[0])
    .filter((item): item is BulkItem => item !== undefined)
    .filter((item) => item.status !== undefined && item.status >= 300 && item.status !== 409);
  const retryable = failed.find((item) => itemRetryable(item.status ?? 0));
  const first = retryable ?? failed[0];
  if (first === undefined) return { kind: 'delivered', status: answer.status };
  const detail = excerpt(
    `${failed.length} item(s) failed; ${first._id ?? '?'}: ${first.status ?? '?'} ${first.error?.type ?? ''} ${first.error?.reason ?? ''}`,
    secrets,
  );
  return retryable
    ? { kind: 'retry', status: retryable.status, error: detail }
    : { kind: 'rejected', status: first.status, error: detail };
}

export class BulkSender extends HttpDestination {
  private readonly authorization: Record<string, string>;

  constructor(
    private readonly config: BulkDestination,
    private readonly options: ResolvedOptions,
  ) {
    super(
      config.url,
      options,
      [config.password, config.api_key].filter((secret): secret is string => secret !== undefined),
      config.ca,
    );
    this.authorization = config.api_key
      ? { Authorization: `ApiKey ${config.api_key}` }
      : config.username !== undefined
        ? {
            Authorization: `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`,
          }
        : {};
  }

  protected requests(events: readonly AuditEvent[]): HttpPost[] {
    const observer = { hostname: this.options.hostname, version: this.options.productVersion };
    return [
      {
        path: '/_bulk',
        query: { filter_path: FILTER_PATH },
        headers: { ...this.authorization, 'Content-Type': 'application/x-ndjson' },
        body: Buffer.from(bulkBody(events, this.config.index, observer)),
        maxBodyBytes: 8 * 1024 * 1024,
      },
    ];
  }

  protected override classify(answer: HttpAnswer): DeliveryResult {
    return classifyBulkAnswer(answer, this.secrets);
  }
}
