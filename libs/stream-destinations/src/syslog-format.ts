import { isIPv4, isIPv6 } from 'node:net';
import type { AuditEvent } from '@auditlog/events';

/** Facility 13, "log audit" (RFC 5424 table 1). */
export const SYSLOG_DEFAULT_FACILITY = 13;
export const SYSLOG_DEFAULT_APP_NAME = 'auditlog';
/**
 * The SD-ID's enterprise number: 32473 is the one RFC 5612 reserves for documentation and
 * examples, used until the project has a registered one (ADR 0121).
 */
export const SD_ID = 'auditlog@32473';
export const CEF_VENDOR = 'Auditlog';
export const CEF_PRODUCT = 'Audit Log Appliance';

/** RFC 5424 severities: a success is informational (6), a failure a notice (5); ADR 0121. */
export const SYSLOG_SEVERITY = { success: 6, failure: 5 } as const;
/** CEF severities (0–10): success 3 (low), failure 5 (medium). */
export const CEF_SEVERITY = { success: 3, failure: 5 } as const;

const BOM = '\uFEFF';
const NILVALUE = '-';
/** Any character outside PRINTUSASCII, a character outside the BMP counted once. */
const NOT_PRINTUSASCII = /[^\x21-\x7e]/gu;
const RFC5424_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** Keeps PRINTUSASCII (33–126) only, other characters become `_`, cut to `max`; `-` when empty. */
export function printUsAscii(value: string | undefined, max: number): string {
  if (!value) return NILVALUE;
  return value.replace(NOT_PRINTUSASCII, '_').slice(0, max) || NILVALUE;
}

/** The event's time as an RFC 5424 TIMESTAMP (at most microseconds, with a zone). */
export function syslogTimestamp(timestamp: string): string {
  if (RFC5424_TIMESTAMP.test(timestamp)) return timestamp;
  const parsed = Date.parse(timestamp);
  return Number.isNaN(parsed) ? NILVALUE : new Date(parsed).toISOString();
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): `"`, `\` and `]` are preceded by `\`. */
export function escapeSdValue(value: string): string {
  return value.replace(/["\\\]]/g, (char) => `\\${char}`);
}

export function structuredData(event: AuditEvent): string {
  const params: Array<[string, string | undefined]> = [
    ['id', event.id],
    ['company_id', event.company_id],
    ['action', event.action],
    ['category', event.category],
    ['outcome', event.outcome],
    ['actor_id', event.actor.id],
    ['actor_type', event.actor.type],
  ];
  const rendered = params
    .filter((param): param is [string, string] => param[1] !== undefined)
    .map(([name, value]) => `${name}="${escapeSdValue(value)}"`)
    .join(' ');
  return `[${SD_ID} ${rendered}]`;
}

export interface SyslogHeaderOptions {
  facility: number;
  hostname: string;
  appName: string;
}

function header(event: AuditEvent, severity: number, options: SyslogHeaderOptions): string {
  const pri = options.facility * 8 + severity;
  return [
    `<${pri}>1`,
    syslogTimestamp(event.timestamp),
    printUsAscii(options.hostname, 255),
    printUsAscii(options.appName, 48),
    NILVALUE,
    printUsAscii(event.action, 32),
  ].join(' ');
}

/** RFC 5424 message: the event in structured data, and as JSON (after a BOM) in MSG. */
export function rfc5424Message(event: AuditEvent, options: SyslogHeaderOptions): string {
  const severity = SYSLOG_SEVERITY[event.outcome];
  return `${header(event, severity, options)} ${structuredData(event)} ${BOM}${JSON.stringify(event)}`;
}

/** CEF header fields: `\` and `|` escaped; line breaks are not allowed there and become spaces. */
export function escapeCefHeader(value: string): string {
  return value.replace(/[\\|]/g, (char) => `\\${char}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** CEF extension values: `\` and `=` escaped, line breaks written as `\n` / `\r`. */
export function escapeCefValue(value: string): string {
  return value
    .replace(/[\\=]/g, (char) => `\\${char}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
}

function cefExtension(event: AuditEvent): string {
  const ip = event.source?.ip;
  const target = event.target
    ? [event.target.type, event.target.id].filter((part) => part !== undefined).join(':')
    : undefined;
  const pairs: Array<[string, string | undefined]> = [
    ['rt', String(Date.parse(event.timestamp))],
    ['externalId', event.id],
    ['act', event.action],
    ['cat', event.category],
    ['outcome', event.outcome],
    ['reason', event.reason],
    ['suid', event.actor.id],
    ['suser', event.actor.name ?? event.actor.email],
    ['src', ip && isIPv4(ip) ? ip : undefined],
    ['c6a2', ip && isIPv6(ip) ? ip : undefined],
    ['c6a2Label', ip && isIPv6(ip) ? 'Source IPv6 Address' : undefined],
    ['requestClientApplication', event.source?.user_agent],
    ['cs1Label', 'company_id'],
    ['cs1', event.company_id],
    ['cs2Label', target ? 'target' : undefined],
    ['cs2', target || undefined],
    ['msg', event.description],
  ];
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .map(([key, value]) => `${key}=${escapeCefValue(value)}`)
    .join(' ');
}

export function cefRecord(event: AuditEvent, productVersion: string): string {
  const fields = [
    CEF_VENDOR,
    CEF_PRODUCT,
    productVersion,
    event.action,
    event.description ?? event.action,
    String(CEF_SEVERITY[event.outcome]),
  ].map(escapeCefHeader);
  return `CEF:0|${fields.join('|')}|${cefExtension(event)}`;
}

/** RFC 5424 header, no structured data, and the CEF record as MSG (no BOM: CEF parsers expect `CEF:`). */
export function cefMessage(
  event: AuditEvent,
  options: SyslogHeaderOptions & { productVersion: string },
): string {
  const severity = SYSLOG_SEVERITY[event.outcome];
  return `${header(event, severity, options)} ${NILVALUE} ${cefRecord(event, options.productVersion)}`;
}

/** RFC 6587 octet counting: `<byte length of the UTF-8 message> <message>`. */
export function octetCountedFrame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
