import { assertUrlAllowed, destinationUrlProblem } from './destination-url';
import { EgressRefusedError } from './egress-refused.error';
import { createEgressPolicy, STRICT_EGRESS } from './policy';

describe('assertUrlAllowed', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://[::1]/hook', 'loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://2130706433/hook', 'loopback'],
    ['http://0x7f.1/hook', 'loopback'],
    ['http://0/hook', 'unspecified'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://[fe80::1]/', 'link-local'],
    ['http://10.0.0.5/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.64.0.1/', 'cgnat'],
  ])('refuses %s (%s)', (url, category) => {
    let caught: unknown;
    try {
      assertUrlAllowed(url, STRICT_EGRESS);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EgressRefusedError);
    expect(caught).toMatchObject({ code: 'EGRESS_REFUSED', category });
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'not a url'])(
    'refuses %j by its scheme or shape',
    (url) => {
      expect(() => assertUrlAllowed(url, STRICT_EGRESS)).toThrow(EgressRefusedError);
    },
  );

  it.each(['https://hooks.example.com/x', 'http://8.8.8.8/', 'http://localhost:1/'])(
    'lets %s through (names are checked when they resolve)',
    (url) => {
      expect(assertUrlAllowed(url, STRICT_EGRESS).href).toBe(new URL(url).href);
    },
  );

  it('lets allowed literals through', () => {
    const policy = createEgressPolicy({ allowPrivate: true, allowedCidrs: ['127.0.0.0/8'] });
    expect(assertUrlAllowed('http://127.0.0.1:3000/', policy).port).toBe('3000');
    expect(assertUrlAllowed('http://10.1.2.3/', policy).hostname).toBe('10.1.2.3');
  });

  it('accepts other schemes when asked', () => {
    expect(assertUrlAllowed('syslog://example.com:6514', STRICT_EGRESS, ['syslog:']).port).toBe(
      '6514',
    );
  });
});

describe('destinationUrlProblem', () => {
  it('names the field and the reason', () => {
    expect(destinationUrlProblem('webhook_url', 'http://169.254.169.254/', STRICT_EGRESS)).toEqual({
      path: 'webhook_url',
      message:
        'webhook_url is refused: 169.254.169.254 is a link-local address (the cloud metadata service lives there); only EGRESS_ALLOWED_CIDRS can allow it',
    });
    expect(destinationUrlProblem('url', 'ftp://x.example/', STRICT_EGRESS)).toEqual({
      path: 'url',
      message: 'url is refused: the scheme is ftp, it must be http or https',
    });
    expect(destinationUrlProblem('url', 'https://x.example/', STRICT_EGRESS)).toBeUndefined();
  });
});
