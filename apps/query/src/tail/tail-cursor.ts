import type { QueryParams } from '@auditlog/events';
import type { TailPosition } from '@auditlog/tail';
import { invalidCursor, paramsDigest, SignedCursorCodec } from '../events/page-cursor';

/** What a tail cursor binds: the position, for one reader scope and one set of filters. */
interface TailCursorState {
  /** The companies read, as a stable key (`*` or the sorted list). */
  scope: string;
  params: string;
  position: TailPosition | null;
}

/** Parameters that may change between two reads of one tail. */
const TAIL_PAGE_PARAMS: ReadonlySet<string> = new Set(['after', 'limit', 'since']);

function isPosition(value: unknown): value is TailPosition {
  if (typeof value !== 'object' || value === null) return false;
  const position = value as Record<string, unknown>;
  return (
    typeof position.indexed_at === 'number' &&
    typeof position.company_id === 'string' &&
    typeof position.id === 'string'
  );
}

function isTailState(value: unknown): value is TailCursorState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    typeof state.scope === 'string' &&
    typeof state.params === 'string' &&
    (state.position === null || isPosition(state.position))
  );
}

export function scopeKey(companies: readonly string[] | 'all'): string {
  return companies === 'all' ? '*' : [...companies].sort().join(',');
}

/** The opaque `after` of the tail: signed, bound to the companies and filters it reads. */
export class TailCursorCodec {
  private readonly codec: SignedCursorCodec<TailCursorState>;

  constructor(key: Buffer) {
    this.codec = new SignedCursorCodec(key, 'after', isTailState);
  }

  encode(scope: string, params: QueryParams, position: TailPosition | undefined): string {
    return this.codec.encode({
      scope,
      params: paramsDigest(params, TAIL_PAGE_PARAMS),
      position: position ?? null,
    });
  }

  decode(cursor: string, scope: string, params: QueryParams): TailPosition | undefined {
    const state = this.codec.decode(cursor);
    if (state.scope !== scope || state.params !== paramsDigest(params, TAIL_PAGE_PARAMS)) {
      throw invalidCursor(
        'after',
        'after belongs to another tail: send the same filters and company as the first read.',
      );
    }
    return state.position ?? undefined;
  }
}
