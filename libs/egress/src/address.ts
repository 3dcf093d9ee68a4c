import { isIP } from 'node:net';

/**
 * What an address is for. Only `public` addresses are reachable by default; see
 * `EgressPolicy` for what `allowPrivate` and the allowed CIDRs open.
 */
export type AddressCategory =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/** A network: every address whose first `prefix` bits equal those of `base`. */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseV4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function parseV6(text: string): bigint {
  // A dotted IPv4 tail (`::ffff:127.0.0.1`) becomes its two groups (`::ffff:7f00:1`).
  const body = text.replace(/(\d+\.\d+\.\d+\.\d+)$/, (dotted) => {
    const v4 = parseV4(dotted);
    return `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  });
  const [head = '', tail = ''] = body.includes('::') ? body.split('::') : [body, ''];
  const groups = (part: string) =>
    part ? part.split(':').map((group) => BigInt(`0x${group}`)) : [];
  const left = groups(head);
  const right = groups(tail);
  const zeros = Array<bigint>(8 - left.length - right.length).fill(0n);
  return [...left, ...zeros, ...right].reduce((value, group) => (value << 16n) | group, 0n);
}

/**
 * Parses an IPv4 or IPv6 address (brackets and an IPv6 zone such as `%eth0` allowed);
 * undefined for anything else, host names included.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return { family: 4, value: parseV4(bare) };
  if (family === 6) return { family: 6, value: parseV6(bare.toLowerCase()) };
  return undefined;
}

/** Parses `10.0.0.0/8` or `fd00::/8`; a bare address is its own /32 or /128. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, ...extra] = text.trim().split('/');
  const ip = parseIp(address);
  if (!ip || extra.length > 0) return undefined;
  const bits = BITS[ip.family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  return { family: ip.family, base: mask(ip.value, prefix, bits), prefix };
}

function mask(value: bigint, prefix: number, bits: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (value >> hostBits) << hostBits;
}

export function inCidr(ip: IpAddress, cidr: Cidr): boolean {
  return ip.family === cidr.family && mask(ip.value, cidr.prefix, BITS[ip.family]) === cidr.base;
}

function table(entries: Array<[string, AddressCategory]>): Array<[Cidr, AddressCategory]> {
  return entries.map(([text, category]) => [parseCidr(text) as Cidr, category]);
}

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors); the first match wins. */
const V4_RANGES = table([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

const V6_RANGES = table([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'reserved'],
  ['2001::/23', 'reserved'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
]);

/** IPv6 ranges that carry an IPv4 address, and where: mapped, NAT64 (RFC 6052), 6to4. */
const EMBEDDING: Array<[Cidr, (value: bigint) => bigint]> = [
  [parseCidr('::ffff:0:0/96') as Cidr, (value) => value & 0xffffffffn],
  [parseCidr('64:ff9b::/96') as Cidr, (value) => value & 0xffffffffn],
  [parseCidr('2002::/16') as Cidr, (value) => (value >> 80n) & 0xffffffffn],
];

const GLOBAL_UNICAST = parseCidr('2000::/3') as Cidr;

/**
 * The IPv4 address an IPv6 address stands for (IPv4-mapped `::ffff:a.b.c.d`, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`), else the address itself.
 */
export function effectiveAddress(ip: IpAddress): IpAddress {
  if (ip.family === 6) {
    for (const [range, extract] of EMBEDDING) {
      if (inCidr(ip, range)) return { family: 4, value: extract(ip.value) };
    }
  }
  return ip;
}

/** The category of an address; an IPv6 address carrying an IPv4 one is judged by the IPv4. */
export function classifyIp(ip: IpAddress): AddressCategory {
  const effective = effectiveAddress(ip);
  const ranges = effective.family === 4 ? V4_RANGES : V6_RANGES;
  const match = ranges.find(([range]) => inCidr(effective, range));
  if (match) return match[1];
  if (effective.family === 6 && !inCidr(effective, GLOBAL_UNICAST)) return 'reserved';
  return 'public';
}

/** `classifyIp` of a textual address; undefined when the text is no IP address. */
export function classifyAddress(text: string): AddressCategory | undefined {
  const ip = parseIp(text);
  return ip ? classifyIp(ip) : undefined;
}
