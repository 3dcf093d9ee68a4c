import { parseRfc5424, sampleAuditEvent } from '@auditlog/testing';
import {
  cefMessage,
  cefRecord,
  escapeCefHeader,
  escapeCefValue,
  escapeSdValue,
  octetCountedFrame,
  printUsAscii,
  rfc5424Message,
  syslogTimestamp,
} from './syslog-format';

const header = { facility: 13, hostname: 'appliance-1', appName: 'auditlog' };

describe('RFC 5424 formatting', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a]b', 'a\\]b'],
    ['[x="y"]', '[x=\\"y\\"\\]'],
    ['ünï 🙂', 'ünï 🙂'],
  ])('escapes the PARAM-VALUE %j as %j', (value, escaped) => {
    expect(escapeSdValue(value)).toBe(escaped);
  });

  it.each([
    ['user.login', 32, 'user.login'],
    ['has space', 32, 'has_space'],
    ['ünicode', 32, '_nicode'],
    ['x'.repeat(40), 32, 'x'.repeat(32)],
    ['', 32, '-'],
    [undefined, 32, '-'],
    ['tab\tand\nnewline', 32, 'tab_and_newline'],
  ])('keeps %j as PRINTUSASCII ≤ %d: %j', (value, max, expected) => {
    expect(printUsAscii(value, max)).toBe(expected);
  });

  it.each([
    ['2026-03-01T12:00:00.123Z', '2026-03-01T12:00:00.123Z'],
    ['2026-03-01T12:00:00.123456+02:00', '2026-03-01T12:00:00.123456+02:00'],
    ['2026-03-01T12:00:00.1234567Z', '2026-03-01T12:00:00.123Z'],
    ['not a date', '-'],
  ])('writes the TIMESTAMP %j as %j', (timestamp, expected) => {
    expect(syslogTimestamp(timestamp)).toBe(expected);
  });

  it('frames by the byte length of the UTF-8 message, not its characters', () => {
    const frame = octetCountedFrame('é🙂x');
    expect(frame).toBe('7 é🙂x');
  });

  it('puts PRI from facility and outcome, MSGID, structured data and the event JSON after a BOM', () => {
    const event = sampleAuditEvent({
      action: 'role granted]now',
      actor: { id: 'a"\\]z', type: 'service' },
    });
    const parsed = parseRfc5424(rfc5424Message(event, header));
    expect(parsed).toMatchObject({
      pri: 13 * 8 + 6,
      version: 1,
      timestamp: event.timestamp,
      hostname: 'appliance-1',
      appName: 'auditlog',
      procId: '-',
      msgId: 'role_granted]now',
      bom: true,
    });
    expect(parsed.structuredData['auditlog@32473']).toEqual({
      id: event.id,
      company_id: 'acme',
      action: 'role granted]now',
      category: 'authentication',
      outcome: 'success',
      actor_id: 'a"\\]z',
      actor_type: 'service',
    });
    expect(JSON.parse(parsed.msg)).toEqual(event);
    const failure = parseRfc5424(rfc5424Message({ ...event, outcome: 'failure' }, header));
    expect(failure.severity).toBe(5);
    expect(failure.facility).toBe(13);
  });
});

describe('CEF formatting', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['a\\b', 'a\\\\b'],
    ['a=b', 'a=b'],
    ['two\nlines', 'two lines'],
  ])('escapes the header field %j as %j', (value, escaped) => {
    expect(escapeCefHeader(value)).toBe(escaped);
  });

  it.each([
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
    ['a|b', 'a|b'],
    ['two\nlines\r', 'two\\nlines\\r'],
  ])('escapes the extension value %j as %j', (value, escaped) => {
    expect(escapeCefValue(value)).toBe(escaped);
  });

  it('writes the header and the mapped extension keys', () => {
    const event = sampleAuditEvent({ action: 'a|b', description: 'x=1\nnext', outcome: 'failure' });
    const record = cefRecord(event, '1.2.3');
    expect(record.startsWith('CEF:0|Auditlog|Audit Log Appliance|1.2.3|a\\|b|x=1 next|5|')).toBe(
      true,
    );
    const extension = record.split('|').slice(7).join('|');
    expect(extension).toContain(`rt=${Date.parse(event.timestamp)} externalId=${event.id} `);
    expect(extension).toContain('msg=x\\=1\\nnext');
    expect(extension).toContain('src=203.0.113.7');
    expect(extension).toContain('cs1Label=company_id cs1=acme');
    expect(extension).toContain('cs2Label=target cs2=session:s-1');
    expect(extension).toContain('suser=Alice Ex');
  });

  it('sends IPv6 sources as c6a2 and a success at CEF severity 3', () => {
    const event = sampleAuditEvent({ source: { ip: '2001:db8::1' } });
    const record = cefRecord(event, '1');
    expect(record).toContain('c6a2=2001:db8::1');
    expect(record).not.toContain('src=');
    expect(record.split('|')[6]).toBe('3');
  });

  it('wraps CEF in an RFC 5424 header without structured data or BOM', () => {
    const event = sampleAuditEvent();
    const parsed = parseRfc5424(cefMessage(event, { ...header, productVersion: '1' }));
    expect(parsed.structuredData).toEqual({});
    expect(parsed.bom).toBe(false);
    expect(parsed.msg.startsWith('CEF:0|Auditlog|')).toBe(true);
  });
});
