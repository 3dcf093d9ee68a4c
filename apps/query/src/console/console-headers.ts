import type { ConsoleConfig } from '@auditlog/config';

/**
 * The Content-Security-Policy of every console response: scripts, styles and fonts only
 * from the appliance itself (no inline code, no CDN: the appliance is often air-gapped),
 * API calls to itself and the export API, framing only by the configured host origins.
 */
export function consoleSecurityPolicy(config: ConsoleConfig): string {
  const connect = ["'self'"];
  if (config.exportUrl) connect.push(new URL(config.exportUrl).origin);
  const ancestors = config.frameAncestors.length > 0 ? config.frameAncestors : ["'self'"];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    `frame-ancestors ${ancestors.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export function consoleHeaders(config: ConsoleConfig): Record<string, string> {
  return {
    'Content-Security-Policy': consoleSecurityPolicy(config),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Content-hashed assets never change under their name; everything else is revalidated. */
export type CachePolicy = 'immutable' | 'revalidate' | 'never';

export const CACHE_CONTROL: Record<CachePolicy, string> = {
  immutable: 'public, max-age=31536000, immutable',
  revalidate: 'no-cache',
  never: 'no-store',
};

/** Which file of the built console answers a path below `/console/`, and how it caches. */
export function consoleFileFor(path: string): { file: string; cache: CachePolicy } {
  if (path.startsWith('assets/')) return { file: path, cache: 'immutable' };
  const lastSegment = path.split('/').pop() ?? '';
  if (lastSegment.includes('.') && lastSegment !== 'index.html') {
    return { file: path, cache: 'revalidate' };
  }
  // The console is one page whose state is in the query string.
  return { file: 'index.html', cache: 'never' };
}
