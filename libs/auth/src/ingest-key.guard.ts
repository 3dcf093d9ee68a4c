import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig, type IngestKeyRecord } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import { bearerToken } from './bearer';
import { IngestKeyRegistry } from './ingest-key.registry';

export type IngestRequest = Request & { ingestKey: IngestKeyRecord };

@Injectable()
export class IngestKeyGuard implements CanActivate {
  private readonly registry: IngestKeyRegistry;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.registry = new IngestKeyRegistry(config.ingest.keys);
  }

  /** The ingest key the request's bearer secret belongs to, if any. */
  keyOf(request: IncomingMessage): IngestKeyRecord | undefined {
    const secret = bearerToken(request);
    return secret ? this.registry.authenticate(secret) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IngestRequest>();
    const key = this.keyOf(request);
    if (!key) {
      throw new ProblemException(
        401,
        'unauthenticated',
        'Unauthorized',
        'Send a valid ingest key as "Authorization: Bearer <key>".',
        undefined,
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    request.ingestKey = key;
    return true;
  }
}
