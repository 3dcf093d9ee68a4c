import { isIP } from 'node:net';
import type { FieldProblem } from '@auditlog/problem';
import { EgressRefusedError } from './egress-refused.error';
import { checkAddress, type EgressPolicy } from './policy';

export const HTTP_SCHEMES: readonly string[] = ['http:', 'https:'];

/**
 * Refuses a host that is an IP literal the policy does not allow (`[::1]`, `127.0.0.1`);
 * names pass, the guarded lookup checks what they resolve to when connecting.
 */
export function assertHostAllowed(host: string, policy: EgressPolicy): void {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare.replace(/%.*$/, '')) === 0) return;
  const verdict = checkAddress(bare, policy);
  if (!verdict.allowed) {
    throw new EgressRefusedError(verdict.reason, bare, bare, verdict.category);
  }
}

/**
 * Up-front check of a destination URL, at config time or before each connection: the
 * scheme is one of `schemes`, and a literal IP host is allowed by the policy. The URL
 * parser has already turned `http://2130706433/` or `http://0x7f.1/` into `127.0.0.1`.
 * Returns the parsed URL; throws `EgressRefusedError`.
 */
export function assertUrlAllowed(
  url: string | URL,
  policy: EgressPolicy,
  schemes: readonly string[] = HTTP_SCHEMES,
): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new EgressRefusedError('the destination is not a URL');
  }
  if (!schemes.includes(parsed.protocol)) {
    const names = schemes.map((scheme) => scheme.replace(/:$/, '')).join(' or ');
    throw new EgressRefusedError(
      `the scheme is ${parsed.protocol.replace(/:$/, '')}, it must be ${names}`,
      parsed.hostname || undefined,
    );
  }
  assertHostAllowed(parsed.hostname, policy);
  return parsed;
}

/**
 * `assertUrlAllowed` for request validation: a field problem at `path` (a 400), or
 * undefined when the URL may be stored.
 */
export function destinationUrlProblem(
  path: string,
  url: string,
  policy: EgressPolicy,
  schemes: readonly string[] = HTTP_SCHEMES,
): FieldProblem | undefined {
  try {
    assertUrlAllowed(url, policy, schemes);
    return undefined;
  } catch (error) {
    if (error instanceof EgressRefusedError)
      return { path, message: `${path} is refused: ${error.reason}` };
    throw error;
  }
}
