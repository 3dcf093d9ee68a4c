import { assertHostAllowed, type EgressPolicy, EgressRefusedError } from '@auditlog/egress';
import { type FieldProblem, unknownFieldProblems } from '@auditlog/events';
import type { DestinationConfig, DestinationType } from './destination';

/**
 * Destination input of the admin API, checked per type into a `DestinationConfig`, and the
 * write-only handling of its secrets: which fields are secret, the redacted view the API
 * answers with (and the store keeps in the clear), and how an update keeps a stored secret
 * it does not repeat.
 */

export const DESTINATION_TYPES: readonly DestinationType[] = [
  'splunk_hec',
  'datadog',
  'webhook',
  'syslog',
  'opensearch_bulk',
  'elasticsearch_bulk',
];

/** The secret string fields of each type; `headers` (webhook) is secret as a whole map. */
export const DESTINATION_SECRET_FIELDS: Readonly<Record<DestinationType, readonly string[]>> = {
  splunk_hec: ['token'],
  datadog: ['api_key'],
  webhook: ['signing_secret', 'headers'],
  syslog: [],
  opensearch_bulk: ['password', 'api_key'],
  elasticsearch_bulk: ['password', 'api_key'],
};

/** The secrets of one destination, as encrypted together: field → value (headers: a map). */
export type DestinationSecrets = Record<string, string | Record<string, string>>;

/**
 * A destination without its secrets, as the API shows it: each secret field that is set is
 * replaced by `<field>_set: true`; webhook headers by `header_names` (their values are secret).
 */
export type RedactedDestination = { type: DestinationType } & Record<string, unknown>;

export interface DestinationValidationOptions {
  /** Accept `http://` URLs (default: https only). */
  allowPlainHttp: boolean;
  /**
   * The egress policy: a host that is an IP literal it refuses (loopback, link-local,
   * private ranges unless allowed) is refused here already. Names pass; the stream runner
   * checks every resolved address again when it connects.
   */
  egress: EgressPolicy;
}

export type DestinationParseResult =
  { ok: true; destination: DestinationConfig } | { ok: false; problems: FieldProblem[] };

const ROOT = 'destination';
const MAX_URL = 2048;
const MAX_SECRET = 8192;
const MAX_TEXT = 256;
const MAX_PEM = 64 * 1024;
const MAX_HEADERS = 20;
const MAX_TAGS = 100;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** Headers the webhook sender sets itself (its signature headers are `X-Auditlog-*`). */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'user-agent',
]);
const isReservedHeader = (name: string): boolean =>
  RESERVED_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('x-auditlog-');
/** RFC 1123 host names; IPv6 literals are accepted in brackets-free form by `net.isIP`. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
/** Index (or data stream) names OpenSearch and Elasticsearch both accept. */
const INDEX_NAME = /^[a-z0-9][a-z0-9._+-]{0,254}$/;
/** RFC 5424 APP-NAME: 1*48 PRINTUSASCII. */
const APP_NAME = /^[\x21-\x7e]{1,48}$/;

type Field = (input: Record<string, unknown>, ctx: Context) => void;

interface Context {
  options: DestinationValidationOptions;
  problems: FieldProblem[];
  /** The stored destination of an update, of the same type: supplies omitted secrets. */
  stored?: DestinationSecrets;
  out: Record<string, unknown>;
}

const path = (field: string): string => `${ROOT}.${field}`;

function problem(ctx: Context, field: string, message: string): void {
  ctx.problems.push({ path: path(field), message: `${path(field)} ${message}` });
}

function present(input: Record<string, unknown>, field: string): boolean {
  return input[field] !== undefined && input[field] !== null;
}

function text(
  field: string,
  rule: { required?: boolean; max?: number; pattern?: RegExp; describe?: string } = {},
): Field {
  const max = rule.max ?? MAX_TEXT;
  return (input, ctx) => {
    if (!present(input, field)) {
      if (rule.required) problem(ctx, field, 'is required');
      return;
    }
    const value = input[field];
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
      problem(ctx, field, `must be a non-empty string of at most ${max} characters`);
    } else if (rule.pattern && !rule.pattern.test(value)) {
      problem(ctx, field, `must be ${rule.describe ?? 'valid'}`);
    } else {
      ctx.out[field] = value;
    }
  };
}

function url(field: string, required: boolean): Field {
  return (input, ctx) => {
    if (!present(input, field)) {
      if (required) problem(ctx, field, 'is required');
      return;
    }
    const raw = input[field];
    const allowed = ctx.options.allowPlainHttp ? 'an http or https URL' : 'an https URL';
    let parsed: URL | undefined;
    try {
      parsed = typeof raw === 'string' && raw.length <= MAX_URL ? new URL(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    const schemes = ctx.options.allowPlainHttp ? ['https:', 'http:'] : ['https:'];
    if (!parsed || !schemes.includes(parsed.protocol) || parsed.hostname === '') {
      const hint =
        parsed?.protocol === 'http:'
          ? ' (plain http needs STREAM_DESTINATIONS_ALLOW_HTTP=true)'
          : '';
      problem(ctx, field, `must be ${allowed}${hint}`);
      return;
    }
    if (parsed.username || parsed.password || parsed.search || parsed.hash) {
      problem(ctx, field, 'must not carry credentials, a query or a fragment');
      return;
    }
    const refused = egressRefusal(parsed.hostname, ctx.options.egress);
    if (refused) {
      problem(ctx, field, `is not allowed: ${refused}`);
      return;
    }
    ctx.out[field] = parsed.toString().replace(/\/$/, '');
  };
}

function egressRefusal(host: string, policy: EgressPolicy): string | undefined {
  try {
    assertHostAllowed(host, policy);
    return undefined;
  } catch (error) {
    if (error instanceof EgressRefusedError) return error.reason;
    throw error;
  }
}

function integer(field: string, min: number, max: number, required = false): Field {
  return (input, ctx) => {
    if (!present(input, field)) {
      if (required) problem(ctx, field, 'is required');
      return;
    }
    const value = input[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problem(ctx, field, `must be an integer from ${min} to ${max}`);
    } else {
      ctx.out[field] = value;
    }
  };
}

function boolean(field: string): Field {
  return (input, ctx) => {
    if (!present(input, field)) return;
    if (typeof input[field] !== 'boolean') problem(ctx, field, 'must be a boolean');
    else ctx.out[field] = input[field];
  };
}

function oneOf(field: string, values: readonly string[]): Field {
  return (input, ctx) => {
    if (!present(input, field)) return;
    const value = input[field];
    if (typeof value !== 'string' || !values.includes(value)) {
      problem(ctx, field, `must be one of ${values.join(', ')}`);
    } else {
      ctx.out[field] = value;
    }
  };
}

function pem(field: string): Field {
  return (input, ctx) => {
    if (!present(input, field)) return;
    const value = input[field];
    if (
      typeof value !== 'string' ||
      value.length > MAX_PEM ||
      !value.includes('-----BEGIN CERTIFICATE-----')
    ) {
      problem(ctx, field, 'must be PEM text of one or more CA certificates');
    } else {
      ctx.out[field] = value;
    }
  };
}

/**
 * A write-only secret: given → checked and taken; omitted on an update → the stored value
 * is kept; `null` → removed (only where the secret is optional).
 */
function secret(field: string, required: boolean, minLength = 1): Field {
  return (input, ctx) => {
    const value = input[field];
    if (value === undefined || (value === null && required)) {
      const kept = ctx.stored?.[field];
      if (typeof kept === 'string') ctx.out[field] = kept;
      else if (required) problem(ctx, field, 'is required');
      return;
    }
    if (value === null) return;
    if (typeof value !== 'string' || value.length < minLength || value.length > MAX_SECRET) {
      problem(ctx, field, `must be a string of ${minLength} to ${MAX_SECRET} characters`);
    } else {
      ctx.out[field] = value;
    }
  };
}

const headers: Field = (input, ctx) => {
  const value = input.headers;
  if (value === undefined) {
    const kept = ctx.stored?.headers;
    if (kept && typeof kept === 'object') ctx.out.headers = kept;
    return;
  }
  if (value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problem(ctx, 'headers', 'must be an object of header name → value');
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) {
    problem(ctx, 'headers', `may hold at most ${MAX_HEADERS} headers`);
    return;
  }
  const out: Record<string, string> = {};
  for (const [name, header] of entries) {
    const field = `headers[${JSON.stringify(name)}]`;
    if (!HEADER_NAME.test(name) || isReservedHeader(name)) {
      problem(ctx, field, 'is not a header name the webhook may set');
    } else if (
      typeof header !== 'string' ||
      header.length > MAX_SECRET ||
      /[\r\n\0]/.test(header)
    ) {
      problem(ctx, field, 'must be a single-line string');
    } else {
      out[name] = header;
    }
  }
  if (entries.length > 0) ctx.out.headers = out;
};

const tags: Field = (input, ctx) => {
  if (!present(input, 'tags')) return;
  const value = input.tags;
  if (
    !Array.isArray(value) ||
    value.length > MAX_TAGS ||
    !value.every((tag) => typeof tag === 'string' && tag !== '' && tag.length <= 200)
  ) {
    problem(ctx, 'tags', `must be an array of at most ${MAX_TAGS} non-empty strings`);
  } else {
    ctx.out.tags = [...(value as string[])];
  }
};

const syslogHost: Field = (input, ctx) => {
  if (!present(input, 'host')) {
    problem(ctx, 'host', 'is required');
    return;
  }
  const value = input.host;
  const valid =
    typeof value === 'string' &&
    (HOST_NAME.test(value) || IPV4.test(value) || (value.includes(':') && IPV6.test(value)));
  if (!valid) {
    problem(ctx, 'host', 'must be a host name or an IP address');
    return;
  }
  const refused = egressRefusal(value, ctx.options.egress);
  if (refused) problem(ctx, 'host', `is not allowed: ${refused}`);
  else ctx.out.host = value;
};

/** Cross-field rules of the bulk destinations' credentials. */
const bulkCredentials: Field = (_input, ctx) => {
  if (ctx.out.password !== undefined && ctx.out.username === undefined) {
    problem(ctx, 'username', 'is required with a password');
  }
  if (ctx.out.username !== undefined && ctx.out.password === undefined) {
    problem(ctx, 'password', 'is required with a username');
  }
  if (ctx.out.api_key !== undefined && ctx.out.password !== undefined) {
    problem(ctx, 'api_key', 'and username/password are exclusive');
  }
};

const BULK: Field[] = [
  url('url', true),
  text('index', {
    required: true,
    pattern: INDEX_NAME,
    describe: 'a lowercase index or data stream name without wildcards',
  }),
  text('username'),
  secret('password', false),
  secret('api_key', false),
  pem('ca'),
  bulkCredentials,
];

/** The fields of each type, in the order their problems are reported. */
const RULES: Record<DestinationType, Field[]> = {
  splunk_hec: [
    url('url', true),
    secret('token', true),
    text('index'),
    text('sourcetype'),
    text('source'),
  ],
  datadog: [
    url('site_url', false),
    secret('api_key', true),
    text('ddsource'),
    text('service'),
    tags,
  ],
  webhook: [
    url('url', true),
    oneOf('format', ['json', 'ndjson']),
    secret('signing_secret', true, 16),
    headers,
  ],
  syslog: [
    syslogHost,
    integer('port', 1, 65_535, true),
    boolean('tls'),
    pem('ca'),
    oneOf('format', ['rfc5424', 'cef']),
    integer('facility', 0, 23),
    text('app_name', { max: 48, pattern: APP_NAME, describe: 'printable ASCII without spaces' }),
  ],
  opensearch_bulk: BULK,
  elasticsearch_bulk: BULK,
};

/** Every field a type accepts: its option fields and its secrets. */
const FIELDS: Record<DestinationType, readonly string[]> = {
  splunk_hec: ['type', 'url', 'token', 'index', 'sourcetype', 'source'],
  datadog: ['type', 'site_url', 'api_key', 'ddsource', 'service', 'tags'],
  webhook: ['type', 'url', 'format', 'signing_secret', 'headers'],
  syslog: ['type', 'host', 'port', 'tls', 'ca', 'format', 'facility', 'app_name'],
  opensearch_bulk: ['type', 'url', 'index', 'username', 'password', 'api_key', 'ca'],
  elasticsearch_bulk: ['type', 'url', 'index', 'username', 'password', 'api_key', 'ca'],
};

function isDestinationType(value: unknown): value is DestinationType {
  return typeof value === 'string' && (DESTINATION_TYPES as readonly string[]).includes(value);
}

/**
 * Checks destination input of the admin API. `stored` is the destination being updated
 * (redacted view and decrypted secrets): when the type stays the same, a secret the input
 * omits keeps its stored value and every other field is taken from the input as given (a
 * PATCH replaces the destination object, secrets aside). Paths are `destination.<field>`.
 */
export function parseDestination(
  input: unknown,
  options: DestinationValidationOptions,
  stored?: { type: DestinationType; secrets: DestinationSecrets },
): DestinationParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: ROOT, message: `${ROOT} must be an object` }] };
  }
  const record = input as Record<string, unknown>;
  if (!isDestinationType(record.type)) {
    return {
      ok: false,
      problems: [
        {
          path: path('type'),
          message: `${path('type')} must be one of ${DESTINATION_TYPES.join(', ')}`,
        },
      ],
    };
  }
  const type = record.type;
  const ctx: Context = {
    options,
    problems: unknownFieldProblems(record, FIELDS[type], { parent: ROOT }),
    stored: stored?.type === type ? stored.secrets : undefined,
    out: { type },
  };
  for (const rule of RULES[type]) rule(record, ctx);
  if (ctx.problems.length > 0) return { ok: false, problems: ctx.problems };
  return { ok: true, destination: ctx.out as unknown as DestinationConfig };
}

/** The destination's secrets (only those set), to be encrypted together. */
export function destinationSecrets(destination: DestinationConfig): DestinationSecrets {
  const record = destination as unknown as Record<string, unknown>;
  const secrets: DestinationSecrets = {};
  for (const field of DESTINATION_SECRET_FIELDS[destination.type]) {
    const value = record[field];
    if (typeof value === 'string') secrets[field] = value;
    else if (value && typeof value === 'object')
      secrets[field] = { ...(value as Record<string, string>) };
  }
  return secrets;
}

/** What the API answers and the store keeps in the clear: no secret value at all. */
export function redactDestination(destination: DestinationConfig): RedactedDestination {
  const redacted: Record<string, unknown> = { ...destination };
  for (const field of DESTINATION_SECRET_FIELDS[destination.type]) {
    const value = redacted[field];
    delete redacted[field];
    if (value === undefined) continue;
    if (field === 'headers') {
      redacted.header_names = Object.keys(value as Record<string, string>).sort();
    } else {
      redacted[`${field}_set`] = true;
    }
  }
  return redacted as RedactedDestination;
}

/** The full destination from its redacted view and its decrypted secrets. */
export function restoreDestination(
  redacted: RedactedDestination,
  secrets: DestinationSecrets,
): DestinationConfig {
  const restored: Record<string, unknown> = { ...redacted };
  for (const field of DESTINATION_SECRET_FIELDS[redacted.type]) {
    delete restored[field === 'headers' ? 'header_names' : `${field}_set`];
    if (secrets[field] !== undefined) restored[field] = secrets[field];
  }
  return restored as unknown as DestinationConfig;
}
