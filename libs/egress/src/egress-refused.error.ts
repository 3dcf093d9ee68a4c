import type { AddressCategory } from './address';

export const EGRESS_REFUSED = 'EGRESS_REFUSED';

/**
 * An outbound connection the egress policy does not allow. Carries `code` like a Node
 * system error, so it reads the same in logs as `ECONNREFUSED` or `ETIMEDOUT`.
 */
export class EgressRefusedError extends Error {
  readonly code = EGRESS_REFUSED;

  constructor(
    /** Why, without the "Refused to connect to" prefix: `127.0.0.1 is a loopback address, …`. */
    readonly reason: string,
    /** The host as given (a name or an IP literal); absent for a malformed URL. */
    readonly host?: string,
    /** The address the host resolved to, when one was refused. */
    readonly address?: string,
    readonly category?: AddressCategory,
  ) {
    super(host ? `Refused to connect to ${host}: ${reason}` : `Refused: ${reason}`);
    this.name = 'EgressRefusedError';
  }
}
