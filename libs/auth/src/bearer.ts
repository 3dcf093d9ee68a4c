import type { IncomingMessage } from 'node:http';

/** The credentials of an `Authorization: Bearer <token>` header, if it has one. */
export function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
