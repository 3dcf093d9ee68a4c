import type { LookupAddress } from 'node:dns';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { createGuardedLookup, type Resolver } from './guarded-lookup';
import { createEgressPolicy, STRICT_EGRESS } from './policy';

/** Answers each name from the table; counts the calls. */
function fakeResolver(answers: Record<string, LookupAddress[][]>): Resolver & { calls: number } {
  const seen: Record<string, number> = {};
  const resolver = Object.assign(
    ((hostname, _options, callback) => {
      resolver.calls++;
      const index = seen[hostname] ?? 0;
      seen[hostname] = index + 1;
      const list = answers[hostname];
      if (!list) {
        const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        error.code = 'ENOTFOUND';
        callback(error, []);
        return;
      }
      callback(null, list[Math.min(index, list.length - 1)] ?? []);
    }) as Resolver,
    { calls: 0 },
  );
  return resolver;
}

function lookup(
  fn: LookupFunction,
  hostname: string,
  all: boolean,
): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) =>
    fn(hostname, { all }, (error, address) => resolve({ error, address })),
  );
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });
const loopbackPolicy = createEgressPolicy({ allowPrivate: false, allowedCidrs: ['127.0.0.0/8'] });

describe('createGuardedLookup', () => {
  it('hands back the checked addresses, all of them or the first', async () => {
    const resolver = fakeResolver({
      'hooks.example': [[v4('93.184.216.34'), v6('2606:2800:220:1::1')]],
    });
    const guarded = createGuardedLookup(STRICT_EGRESS, resolver);
    expect(await lookup(guarded, 'hooks.example', true)).toEqual({
      error: null,
      address: [v4('93.184.216.34'), v6('2606:2800:220:1::1')],
    });
    expect(await lookup(guarded, 'hooks.example', false)).toEqual({
      error: null,
      address: '93.184.216.34',
    });
  });

  it.each([
    ['metadata.example', [v4('169.254.169.254')], '169.254.169.254'],
    ['mixed.example', [v4('93.184.216.34'), v4('10.0.0.7')], '10.0.0.7'],
    ['mapped.example', [v6('::ffff:127.0.0.1')], '::ffff:127.0.0.1'],
    ['v6-loopback.example', [v6('::1')], '::1'],
  ])('refuses %s when any address is refused', async (hostname, answer, refused) => {
    const guarded = createGuardedLookup(STRICT_EGRESS, fakeResolver({ [hostname]: [answer] }));
    for (const all of [true, false]) {
      const { error } = await lookup(guarded, hostname, all);
      expect(error).toMatchObject({ code: 'EGRESS_REFUSED', host: hostname, address: refused });
      expect(error?.message).toContain(
        `Refused to connect to ${hostname}: it resolved to ${refused}`,
      );
    }
  });

  it('passes resolver errors and empty answers on as they are', async () => {
    const guarded = createGuardedLookup(STRICT_EGRESS, fakeResolver({ 'empty.example': [[]] }));
    expect((await lookup(guarded, 'missing.example', false)).error?.code).toBe('ENOTFOUND');
    expect((await lookup(guarded, 'empty.example', true)).error?.code).toBe('ENOTFOUND');
  });

  describe('on a real connection', () => {
    let server: Server;
    let port: number;
    let received: number;

    beforeAll(async () => {
      received = 0;
      server = createServer((_req, res) => {
        received++;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => (received = 0));

    function request(
      url: string,
      fn: LookupFunction,
    ): Promise<{ status?: number; error?: NodeJS.ErrnoException }> {
      return new Promise((resolve) => {
        get(url, { lookup: fn, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
        }).on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
      });
    }

    it('resolves once and connects to the address it checked (no rebinding)', async () => {
      // A rebinding name: an allowed answer first, an internal one to anyone asking again.
      const resolver = fakeResolver({ 'rebind.example': [[v4('127.0.0.1')], [v4('10.0.0.1')]] });
      const result = await request(
        `http://rebind.example:${port}/`,
        createGuardedLookup(loopbackPolicy, resolver),
      );
      expect(result).toEqual({ status: 200 });
      expect(received).toBe(1);
      expect(resolver.calls).toBe(1);
    });

    it('refuses localhost through the system resolver, and nothing arrives', async () => {
      const result = await request(`http://localhost:${port}/`, createGuardedLookup(STRICT_EGRESS));
      expect(result.error).toMatchObject({ code: 'EGRESS_REFUSED', host: 'localhost' });
      expect(received).toBe(0);
    });

    it('reaches localhost once 127.0.0.0/8 (and ::1) are allowed', async () => {
      const policy = createEgressPolicy({
        allowPrivate: false,
        allowedCidrs: ['127.0.0.0/8', '::1/128'],
      });
      expect(await request(`http://localhost:${port}/`, createGuardedLookup(policy))).toEqual({
        status: 200,
      });
      expect(received).toBe(1);
    });
  });
});
