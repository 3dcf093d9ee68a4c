import { checkAddress, createEgressPolicy, STRICT_EGRESS } from './policy';

describe('checkAddress', () => {
  const privateAllowed = createEgressPolicy({ allowPrivate: true, allowedCidrs: [] });
  const loopbackAllowed = createEgressPolicy({
    allowPrivate: false,
    allowedCidrs: ['127.0.0.0/8', 'fd00:1::/32'],
  });
  const metadataAllowed = createEgressPolicy({
    allowPrivate: false,
    allowedCidrs: ['169.254.169.254/32'],
  });

  it.each([
    ['8.8.8.8', true, true, true],
    ['10.0.0.1', false, true, false],
    ['100.64.1.1', false, true, false],
    ['fd12::1', false, true, false],
    ['fd00:1::5', false, true, true],
    ['127.0.0.1', false, false, true],
    ['::ffff:127.0.0.1', false, false, true],
    ['::1', false, false, false],
    ['169.254.169.254', false, false, false],
    ['0.0.0.0', false, false, false],
    ['224.0.0.1', false, false, false],
  ])('%s: strict %s, allowPrivate %s, 127.0.0.0/8 allowed %s', (address, strict, priv, loop) => {
    expect(checkAddress(address, STRICT_EGRESS).allowed).toBe(strict);
    expect(checkAddress(address, privateAllowed).allowed).toBe(priv);
    expect(checkAddress(address, loopbackAllowed).allowed).toBe(loop);
  });

  it('opens the metadata address only when named, not its neighbours', () => {
    expect(checkAddress('169.254.169.254', metadataAllowed).allowed).toBe(true);
    expect(checkAddress('::ffff:169.254.169.254', metadataAllowed).allowed).toBe(true);
    expect(checkAddress('169.254.169.253', metadataAllowed).allowed).toBe(false);
  });

  it('says what the address is and which setting can allow it', () => {
    expect(checkAddress('169.254.169.254', STRICT_EGRESS)).toEqual({
      allowed: false,
      category: 'link-local',
      reason:
        '169.254.169.254 is a link-local address (the cloud metadata service lives there); only EGRESS_ALLOWED_CIDRS can allow it',
    });
    expect(checkAddress('10.0.0.1', STRICT_EGRESS)).toMatchObject({
      reason:
        '10.0.0.1 is a private address; only EGRESS_ALLOW_PRIVATE or EGRESS_ALLOWED_CIDRS can allow it',
    });
    expect(checkAddress('not-an-ip', privateAllowed)).toMatchObject({ allowed: false });
  });

  it('refuses to build a policy from a bad CIDR', () => {
    expect(() =>
      createEgressPolicy({ allowPrivate: false, allowedCidrs: ['10.0.0.0/99'] }),
    ).toThrow('"10.0.0.0/99" is not a CIDR');
  });
});
