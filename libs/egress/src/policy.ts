import {
  type AddressCategory,
  type Cidr,
  classifyIp,
  effectiveAddress,
  inCidr,
  parseCidr,
  parseIp,
} from './address';

/** What the operator configured (`EGRESS_ALLOW_PRIVATE`, `EGRESS_ALLOWED_CIDRS`). */
export interface EgressOptions {
  allowPrivate: boolean;
  allowedCidrs: readonly string[];
}

/**
 * Which destinations outbound connections may reach. Public addresses always;
 * `allowPrivate` adds the private-use networks (RFC 1918, IPv6 unique-local, CGNAT);
 * `allowedCidrs` adds any network, loopback and link-local included: those are never
 * opened by `allowPrivate` alone, so the cloud metadata address stays closed unless named.
 */
export interface EgressPolicy {
  readonly allowPrivate: boolean;
  readonly allowedCidrs: readonly Cidr[];
}

/** Categories `allowPrivate` opens. */
const PRIVATE_CATEGORIES: readonly AddressCategory[] = ['private', 'cgnat'];

/** Refuses everything but public addresses. */
export const STRICT_EGRESS: EgressPolicy = { allowPrivate: false, allowedCidrs: [] };

/** Builds a policy; throws on a CIDR that does not parse (config validates them first). */
export function createEgressPolicy(options: EgressOptions): EgressPolicy {
  const allowedCidrs = options.allowedCidrs.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`"${text}" is not a CIDR like 10.0.0.0/8 or fd00::/8`);
    return cidr;
  });
  return { allowPrivate: options.allowPrivate, allowedCidrs };
}

export type AddressVerdict =
  | { allowed: true; category: AddressCategory }
  | { allowed: false; category: AddressCategory; reason: string };

const DESCRIPTIONS: Record<AddressCategory, string> = {
  public: 'a public address',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  cgnat: 'a carrier-grade NAT address',
  'link-local': 'a link-local address (the cloud metadata service lives there)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

/** Whether the policy lets a connection reach `address` (an IP literal). */
export function checkAddress(address: string, policy: EgressPolicy): AddressVerdict {
  const ip = parseIp(address);
  if (!ip)
    return { allowed: false, category: 'reserved', reason: `${address} is not an IP address` };
  const category = classifyIp(ip);
  if (category === 'public') return { allowed: true, category };
  if (policy.allowPrivate && PRIVATE_CATEGORIES.includes(category))
    return { allowed: true, category };
  const effective = effectiveAddress(ip);
  if (policy.allowedCidrs.some((cidr) => inCidr(ip, cidr) || inCidr(effective, cidr))) {
    return { allowed: true, category };
  }
  const opener = PRIVATE_CATEGORIES.includes(category)
    ? 'EGRESS_ALLOW_PRIVATE or EGRESS_ALLOWED_CIDRS'
    : 'EGRESS_ALLOWED_CIDRS';
  return {
    allowed: false,
    category,
    reason: `${address} is ${DESCRIPTIONS[category]}; only ${opener} can allow it`,
  };
}
