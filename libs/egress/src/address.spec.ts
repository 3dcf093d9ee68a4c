import { type AddressCategory, classifyAddress, parseCidr, parseIp } from './address';

describe('classifyAddress', () => {
  it.each<[string, AddressCategory]>([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fec0::1', 'private'],
    ['64:ff9b:1::1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['::127.0.0.1', 'reserved'],
    ['4000::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['169.253.255.255', 'public'],
    ['11.0.0.1', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it.each(['localhost', 'example.com', '', '1.2.3', '256.1.1.1', '::g', '127.0.0.1:80'])(
    '%j is no IP address',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
      expect(classifyAddress(text)).toBeUndefined();
    },
  );
});

describe('parseCidr', () => {
  it.each([
    ['127.0.0.0/8', { family: 4, base: 0x7f000000n, prefix: 8 }],
    ['10.1.2.3/8', { family: 4, base: 0x0a000000n, prefix: 8 }],
    ['169.254.169.254', { family: 4, base: 0xa9fea9fen, prefix: 32 }],
    ['0.0.0.0/0', { family: 4, base: 0n, prefix: 0 }],
    ['fd00::/8', { family: 6, base: 0xfdn << 120n, prefix: 8 }],
    [' ::1/128 ', { family: 6, base: 1n, prefix: 128 }],
  ])('parses %j', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each([
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    'example.com/8',
    '10.0.0.0/x',
    '',
  ])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});
