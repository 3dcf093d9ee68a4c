import { createServer, type Server, type Socket } from 'node:net';
import type { AuditEvent } from '@auditlog/events';
import {
  firstOf,
  freePort,
  itemAt,
  only,
  parseRfc5424,
  type Rsyslog,
  sampleAuditEvents,
  startRsyslog,
  waitFor,
} from '@auditlog/testing';
import {
  createDestination,
  type Destination,
  type SyslogDestination,
} from '@auditlog/stream-destinations';

const OPTIONS = { timeoutMs: 5000, hostname: 'appliance-1', productVersion: '9.9.9' };

async function deliverAll(
  destination: Destination,
  events: AuditEvent[],
  size: number,
): Promise<void> {
  for (let start = 0; start < events.length; start += size) {
    await expect(destination.deliver(events.slice(start, start + size))).resolves.toEqual({
      kind: 'delivered',
    });
  }
}

describe.each([
  { tls: false, label: 'TCP' },
  { tls: true, label: 'TLS' },
])('syslog over $label to rsyslogd', ({ tls }) => {
  let rsyslog: Rsyslog;
  beforeAll(async () => {
    rsyslog = await startRsyslog({ tls });
  });
  afterAll(async () => {
    await rsyslog.stop();
  });

  const config = (extra: Partial<SyslogDestination> = {}): SyslogDestination => ({
    type: 'syslog',
    host: '127.0.0.1',
    port: rsyslog.port,
    tls,
    ...(tls ? { ca: rsyslog.ca } : {}),
    ...extra,
  });

  it('writes every event, in order, each line a valid RFC 5424 message', async () => {
    const already = rsyslog.lines().length;
    const events = sampleAuditEvents(600, {
      actor: { id: 'svc "x" [\\]', type: 'service' },
      outcome: 'failure',
    }).map((event, n) => (n % 2 === 0 ? { ...event, outcome: 'success' as const } : event));
    const destination = createDestination(config(), OPTIONS);
    await deliverAll(destination, events, 200);
    await destination.close();
    const lines = (await rsyslog.waitForLines(already + events.length)).slice(already);
    expect(lines).toHaveLength(events.length);
    const parsed = lines.map((line) => parseRfc5424(line));
    expect(parsed.map((message) => JSON.parse(message.msg) as AuditEvent)).toEqual(events);
    parsed.forEach((message, n) => {
      const event = itemAt(events, n, 'event');
      expect(message).toMatchObject({
        facility: 13,
        severity: event.outcome === 'success' ? 6 : 5,
        timestamp: event.timestamp,
        hostname: 'appliance-1',
        appName: 'auditlog',
        msgId: 'user.login',
        bom: true,
      });
      expect(message.structuredData['auditlog@32473']).toMatchObject({
        id: event.id,
        company_id: 'acme',
        actor_id: 'svc "x" [\\]',
      });
    });
  });

  it('writes CEF records with the configured facility and app name', async () => {
    const already = rsyslog.lines().length;
    const events = sampleAuditEvents(20, { description: 'a=b | c\nd' });
    const destination = createDestination(
      config({ format: 'cef', facility: 10, app_name: 'audit-appliance' }),
      OPTIONS,
    );
    await deliverAll(destination, events, 20);
    await destination.close();
    const lines = (await rsyslog.waitForLines(already + events.length)).slice(already);
    const parsed = lines.map((line) => parseRfc5424(line));
    expect(parsed.map((message) => message.facility)).toEqual(events.map(() => 10));
    expect(firstOf(parsed).appName).toBe('audit-appliance');
    expect(parsed.map((message) => message.msg)).toEqual(
      events.map(
        (event) =>
          expect.stringMatching(
            new RegExp(
              `^CEF:0\\|Auditlog\\|Audit Log Appliance\\|9\\.9\\.9\\|user\\.login\\|a=b \\\\\\| c d\\|3\\|.*externalId=${event.id} .*msg=a\\\\=b \\| c\\\\nd$`,
            ),
          ) as unknown,
      ),
    );
  });

  it('reconnects after the receiver restarted', async () => {
    const destination = createDestination(config(), OPTIONS);
    const already = rsyslog.lines().length;
    const before = sampleAuditEvents(10, { company_id: 'before' });
    await deliverAll(destination, before, 10);
    // Killed only once it wrote everything: what rsyslogd holds unwritten dies with it.
    await rsyslog.waitForLines(already + before.length);
    await rsyslog.kill();
    const down = await destination.deliver(sampleAuditEvents(1));
    expect(down).toMatchObject({
      kind: 'retry',
      error: expect.stringMatching(/ECONNREFUSED|closed/),
    });
    await rsyslog.restart();
    const after = sampleAuditEvents(10, { company_id: 'after' });
    await deliverAll(destination, after, 10);
    await destination.close();
    const lines = await waitFor(() => {
      const found = rsyslog
        .lines()
        .map((line) => parseRfc5424(line))
        .filter((message) => message.bom)
        .map((message) => JSON.parse(message.msg) as AuditEvent)
        .filter((event) => event.company_id === 'after');
      return Promise.resolve(found.length === after.length ? found : undefined);
    });
    expect(lines).toEqual(after);
  });

  if (tls) {
    it('refuses a certificate it was not told to trust', async () => {
      const destination = createDestination(config({ ca: undefined }), OPTIONS);
      const result = await destination.deliver(sampleAuditEvents(1));
      await destination.close();
      expect(result).toMatchObject({ kind: 'retry', error: expect.stringMatching(/certificate/i) });
    });
  }
});

describe('syslog connection handling', () => {
  let server: Server;
  let port: number;
  const connections: Socket[] = [];
  let received = Buffer.alloc(0);

  beforeEach(async () => {
    connections.length = 0;
    received = Buffer.alloc(0);
    server = createServer((socket) => {
      connections.push(socket);
      socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    connections.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  /** Reads RFC 6587 octet-counted frames back. */
  function frames(bytes: Buffer): string[] {
    const out: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      const space = bytes.indexOf(0x20, at);
      const length = Number(bytes.subarray(at, space).toString('ascii'));
      out.push(bytes.subarray(space + 1, space + 1 + length).toString('utf8'));
      at = space + 1 + length;
    }
    return out;
  }

  it('keeps one connection across batches and frames every message by its byte length', async () => {
    const destination = createDestination({ type: 'syslog', host: '127.0.0.1', port }, OPTIONS);
    const events = sampleAuditEvents(30, { description: 'ünïcødé 🙂' });
    await deliverAll(destination, events, 10);
    await destination.close();
    await waitFor(() => Promise.resolve(frames(received).length === 30 || undefined));
    expect(connections).toHaveLength(1);
    expect(
      frames(received).map((frame) => (JSON.parse(parseRfc5424(frame).msg) as AuditEvent).id),
    ).toEqual(events.map((event) => event.id));
  });

  it('opens a new connection when the receiver closed the old one', async () => {
    const destination = createDestination({ type: 'syslog', host: '127.0.0.1', port }, OPTIONS);
    await deliverAll(destination, sampleAuditEvents(2), 2);
    await waitFor(() => Promise.resolve(connections.length === 1 || undefined));
    only(connections, 'connection').end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await deliverAll(destination, sampleAuditEvents(2), 2);
    await destination.close();
    expect(connections).toHaveLength(2);
  });

  it('retries when nothing listens', async () => {
    const destination = createDestination(
      { type: 'syslog', host: '127.0.0.1', port: await freePort() },
      OPTIONS,
    );
    const result = await destination.deliver(sampleAuditEvents(1));
    await destination.close();
    expect(result).toMatchObject({ kind: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });
});
