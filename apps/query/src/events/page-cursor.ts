import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '@auditlog/config';
import type { QueryParams } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';

/** What a cursor binds: the next page only continues the very same search. */
export interface CursorState {
  /** Company the search reads. */
  company: string;
  /** Digest of the request's filter parameters (everything but cursor and limit). */
  params: string;
  /** The time window resolved on the first page, so "last 24 h" does not drift. */
  from: string;
  to: string;
  sort: 'asc' | 'desc';
  /** Sort values of the last event returned: [timestamp millis, id]. */
  after: [number, string];
}

/** Parameters that may change from page to page of a list. */
const PAGE_PARAMS: ReadonlySet<string> = new Set(['cursor', 'limit']);

/**
 * Order-insensitive digest of the filter parameters of a request, without those that may
 * change from page to page.
 */
export function paramsDigest(
  params: QueryParams,
  pageParams: ReadonlySet<string> = PAGE_PARAMS,
): string {
  const entries = Object.keys(params)
    .filter((name) => !pageParams.has(name))
    .sort()
    .map((name) => {
      const raw = params[name];
      const values = (Array.isArray(raw) ? raw : [raw ?? '']).slice().sort();
      return [name, values];
    });
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, 22);
}

/**
 * The HMAC key of cursors: QUERY_CURSOR_SECRET, else derived from AUTH_JWT_SECRET, else
 * random per process (cursors then only work on the replica that issued them).
 */
export function cursorKey(config: AppConfig): Buffer {
  if (config.query.cursorSecret) return Buffer.from(config.query.cursorSecret, 'utf8');
  if (config.auth.jwtSecret) {
    return createHmac('sha256', config.auth.jwtSecret).update('auditlog/query-cursor/v1').digest();
  }
  return randomBytes(32);
}

export function invalidCursor(parameter: string, detail: string): ProblemException {
  return ProblemException.badRequest(detail, [{ path: parameter, message: detail }]);
}

/**
 * Opaque, tamper-proof cursors: base64url(JSON) + "." + base64url(HMAC-SHA256). Every
 * failure is a 400 on `parameter` that reveals nothing more.
 */
export class SignedCursorCodec<T> {
  constructor(
    private readonly key: Buffer,
    private readonly parameter: string,
    private readonly isState: (value: unknown) => value is T,
  ) {}

  encode(state: T): string {
    const payload = Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string): T {
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0 || cursor.length > 4096) {
      throw invalidCursor(this.parameter, `${this.parameter} is not valid.`);
    }
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw invalidCursor(
        this.parameter,
        `${this.parameter} is not valid (it may come from another deployment).`,
      );
    }
    let state: unknown;
    try {
      state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor(this.parameter, `${this.parameter} is not valid.`);
    }
    if (!this.isState(state))
      throw invalidCursor(this.parameter, `${this.parameter} is not valid.`);
    return state;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

function isPageState(value: unknown): value is CursorState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    typeof state.company === 'string' &&
    typeof state.params === 'string' &&
    typeof state.from === 'string' &&
    typeof state.to === 'string' &&
    (state.sort === 'asc' || state.sort === 'desc') &&
    Array.isArray(state.after) &&
    state.after.length === 2 &&
    typeof state.after[0] === 'number' &&
    typeof state.after[1] === 'string'
  );
}

/** The `cursor` of list pages, bound to company and filters. */
export class PageCursorCodec {
  private readonly codec: SignedCursorCodec<CursorState>;

  constructor(key: Buffer) {
    this.codec = new SignedCursorCodec(key, 'cursor', isPageState);
  }

  encode(state: CursorState): string {
    return this.codec.encode(state);
  }

  decode(cursor: string, company: string, params: QueryParams): CursorState {
    const state = this.codec.decode(cursor);
    if (state.company !== company || state.params !== paramsDigest(params)) {
      throw invalidCursor(
        'cursor',
        'cursor belongs to another search: send the same filters, sort and company as the first page.',
      );
    }
    return state;
  }
}
