import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { sha256Hex, type ViewerGrant, ViewerSessions, viewerSessionsOff } from '@auditlog/auth';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import { REDIS_CLIENT } from '@auditlog/platform';
import type { ViewerTokenRequest } from './viewer-token.request';

/** `vt_` + 32 random bytes, base64url. */
const TOKEN_PATTERN = /^vt_[A-Za-z0-9_-]{43}$/;

/** What Redis holds under the token's hash until it is exchanged or expires. */
interface StoredGrant extends ViewerGrant {
  /** Who minted it: `key:<viewer-token key id>` or `admin:<subject>`. */
  issuedBy: string;
}

export function viewerTokenInvalid(): ProblemException {
  return new ProblemException(
    401,
    'viewer-token-invalid',
    'Sign-in link expired or already used',
    'This sign-in link has expired or was already used. Ask the application that sent you here for a new link.',
  );
}

function redisDown(error: unknown, logger: Logger): never {
  logger.warn(`viewer tokens: Redis unavailable: ${String(error)}`);
  throw ProblemException.unavailable('Viewer tokens are unavailable right now; retry shortly.', 5);
}

/**
 * Viewer tokens: opaque, single-use sign-in tokens minted by the host platform's backend.
 * Redis holds `<prefix>:viewer-token:<sha256 of token>` -> the grant, with the TTL; the
 * token itself is never stored. Exchanging takes the grant out with GETDEL, so a token
 * opens one session at most, however many replicas race for it.
 */
@Injectable()
export class ViewerTokensService {
  private readonly logger = new Logger(ViewerTokensService.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly sessions: ViewerSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async mint(
    request: ViewerTokenRequest,
    issuedBy: string,
    now = Date.now(),
  ): Promise<{ token: string; grant: ViewerGrant }> {
    if (!this.sessions.enabled) throw viewerSessionsOff();
    const token = `vt_${randomBytes(32).toString('base64url')}`;
    const expiresAtMs = (Math.floor(now / 1000) + request.ttlSeconds) * 1000;
    const grant: StoredGrant = {
      id: `vtk_${randomBytes(12).toString('hex')}`,
      companyId: request.companyId,
      subject: request.subject,
      roles: request.roles,
      permissions: request.permissions,
      filters: request.filters,
      expiresAt: new Date(expiresAtMs).toISOString(),
      issuedBy,
    };
    try {
      await this.redis.set(this.key(token), JSON.stringify(grant), 'PXAT', expiresAtMs, 'NX');
    } catch (error) {
      redisDown(error, this.logger);
    }
    // The token never reaches the log; the grant id ties this line to the session's reads.
    this.logger.log({
      msg: 'viewer token minted',
      grant: grant.id,
      issuedBy,
      companyId: grant.companyId,
      subject: grant.subject,
      permissions: grant.permissions,
      expiresAt: grant.expiresAt,
    });
    const { issuedBy: _issuedBy, ...visible } = grant;
    return { token, grant: visible };
  }

  /** Takes the grant out of Redis once and signs its session; any failure is one 401. */
  async exchange(token: string): Promise<{ sessionToken: string; grant: ViewerGrant }> {
    if (!this.sessions.enabled) throw viewerSessionsOff();
    if (!TOKEN_PATTERN.test(token)) throw viewerTokenInvalid();
    let stored: string | null = null;
    try {
      stored = await this.redis.getdel(this.key(token));
    } catch (error) {
      redisDown(error, this.logger);
    }
    if (stored === null) throw viewerTokenInvalid();
    const { issuedBy: _issuedBy, ...grant } = JSON.parse(stored) as StoredGrant;
    if (Date.parse(grant.expiresAt) <= Date.now()) throw viewerTokenInvalid();
    return { sessionToken: this.sessions.sign(grant), grant };
  }

  private key(token: string): string {
    return `${this.config.redis.keyPrefix}:viewer-token:${sha256Hex(token)}`;
  }
}
