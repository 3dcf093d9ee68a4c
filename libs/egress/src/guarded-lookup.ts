import * as dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { EgressRefusedError } from './egress-refused.error';
import { checkAddress, type EgressPolicy } from './policy';

/** `dns.lookup` with `all: true`, as the guard calls it; replaceable in unit specs. */
export type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) =>
  dns.lookup(hostname, options, callback);

/**
 * A `lookup` for `net.connect`, `tls.connect`, `http(s).request` and agents: resolves the
 * host once, refuses the connection when any address it resolved to is refused by the
 * policy (a host with one public and one internal record is refused, whichever the socket
 * would try first), and hands the socket exactly the addresses it checked, so nothing
 * resolves the name a second time (no DNS rebinding between check and connect).
 *
 * Node calls no lookup for an IP literal host: check those with `assertUrlAllowed` or
 * `assertHostAllowed` before connecting.
 */
export function createGuardedLookup(
  policy: EgressPolicy,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    const { family, hints, order, verbatim } = options;
    resolve(hostname, { family, hints, order, verbatim, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      if (addresses.length === 0) {
        const missing: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        missing.code = 'ENOTFOUND';
        callback(missing, '', 0);
        return;
      }
      for (const { address } of addresses) {
        const verdict = checkAddress(address, policy);
        if (!verdict.allowed) {
          callback(
            new EgressRefusedError(
              `it resolved to ${verdict.reason}`,
              hostname,
              address,
              verdict.category,
            ),
            '',
            0,
          );
          return;
        }
      }
      const [first] = addresses;
      if (options.all || first === undefined) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
