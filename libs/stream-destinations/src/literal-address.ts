import { isIP, type LookupFunction } from 'node:net';

/**
 * Node calls no `lookup` for a host that is an IP literal, so the egress guard would never
 * see it: such a host is passed through the lookup here before connecting, which checks
 * it like any resolved address. A name is left to the socket's own call of the lookup.
 */
export function checkLiteralHost(host: string, lookup: LookupFunction | undefined): Promise<void> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!lookup || isIP(bare) === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    lookup(bare, { all: true }, (error) => (error ? reject(error) : resolve()));
  });
}
