import { createEgressPolicy, createGuardedLookup, STRICT_EGRESS } from '@auditlog/egress';
import { createDestination, type DestinationConfig } from '@auditlog/stream-destinations';
import {
  type HttpReceiver,
  type Rsyslog,
  sampleAuditEvents,
  startRsyslog,
  startWebhookReceiver,
} from '@auditlog/testing';

/** The egress guard's lookup is the one check of every destination address, IP literals included. */
describe('destinations behind the egress guard', () => {
  let webhook: HttpReceiver<Record<string, unknown>>;
  let rsyslog: Rsyslog;
  beforeAll(async () => {
    webhook = await startWebhookReceiver({ secret: 's' });
    rsyslog = await startRsyslog();
  });
  afterAll(async () => {
    await webhook.close();
    await rsyslog.stop();
  });

  const configs = (): Array<[string, DestinationConfig]> => [
    ['webhook to 127.0.0.1', { type: 'webhook', url: webhook.url, signing_secret: 's' }],
    [
      'webhook to localhost',
      { type: 'webhook', url: webhook.url.replace('127.0.0.1', 'localhost'), signing_secret: 's' },
    ],
    ['syslog to 127.0.0.1', { type: 'syslog', host: '127.0.0.1', port: rsyslog.port }],
    ['syslog to localhost', { type: 'syslog', host: 'localhost', port: rsyslog.port }],
  ];

  it('refuses loopback under the strict policy, by name or literal, without connecting', async () => {
    const lookup = createGuardedLookup(STRICT_EGRESS);
    for (const [name, config] of configs()) {
      const destination = createDestination(config, { timeoutMs: 2000, lookup });
      const result = await destination.deliver(sampleAuditEvents(1));
      await destination.close();
      expect([name, result]).toEqual([
        name,
        { kind: 'retry', error: expect.stringContaining('loopback') as unknown },
      ]);
    }
    expect(webhook.requests).toEqual([]);
    expect(rsyslog.lines()).toEqual([]);
  });

  it('connects where the operator allowed the network', async () => {
    const lookup = createGuardedLookup(
      createEgressPolicy({ allowPrivate: false, allowedCidrs: ['127.0.0.0/8', '::1/128'] }),
    );
    for (const [name, config] of configs()) {
      const destination = createDestination(config, { timeoutMs: 2000, lookup });
      const result = await destination.deliver(sampleAuditEvents(1));
      await destination.close();
      expect([name, result.kind]).toEqual([name, 'delivered']);
    }
    expect(webhook.received).toHaveLength(2);
    await rsyslog.waitForLines(2);
  });
});
