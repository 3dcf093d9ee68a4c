import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type CheckedEvent,
  describeReport,
  type Digest,
  keyFingerprint,
  parsePublicKey,
  type VerifyReport,
  verifyOffline,
} from '@auditlog/integrity';

const USAGE = `usage: auditlog-verify <export.ndjson|export.json> --digests <digests.json>
         (--public-key [<key_id>=]<key.pem> ... | --public-keys <public-keys.json>)
         [--partial] [--json]

Checks an export against signed digests, offline. Exit status: 0 verified, 1 problems
found, 2 bad usage or unreadable input.`;

class UsageError extends Error {}

type ExportedEvent = CheckedEvent & { company_id: string };

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** NDJSON (one event per line) or a JSON array, as the export formats produce. */
function readEvents(path: string): ExportedEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.trimStart().startsWith('[')) return readJson(path) as ExportedEvent[];
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      try {
        return JSON.parse(line) as ExportedEvent;
      } catch {
        throw new UsageError(`${path}:${number}: not a JSON event`);
      }
    });
}

function readKeys(
  pemArgs: string[],
  keysFile: string | undefined,
): { keys: Map<string, KeyObject>; anonymous: KeyObject[] } {
  const keys = new Map<string, KeyObject>();
  const anonymous: KeyObject[] = [];
  const parse = (pem: string, source: string): KeyObject => {
    try {
      return parsePublicKey(pem);
    } catch (error) {
      throw new UsageError(`${source}: ${(error as Error).message}`);
    }
  };
  for (const arg of pemArgs) {
    const [, name, path = arg] = /^([A-Za-z0-9._:-]{1,64})=(.+)$/.exec(arg) ?? [];
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
    }
    const key = parse(pem, path);
    if (name !== undefined) keys.set(name, key);
    else {
      keys.set(keyFingerprint(key), key);
      anonymous.push(key);
    }
  }
  if (keysFile) {
    const published = readJson(keysFile) as { keys?: Array<{ key_id: string; pem: string }> };
    for (const entry of published.keys ?? []) keys.set(entry.key_id, parse(entry.pem, keysFile));
  }
  if (keys.size === 0) throw new UsageError('no public key given (--public-key or --public-keys)');
  return { keys, anonymous };
}

interface Output {
  write(text: string): unknown;
}

export function main(
  argv: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): number {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        digests: { type: 'string' },
        'public-key': { type: 'string', multiple: true },
        'public-keys': { type: 'string' },
        partial: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      out.write(`${USAGE}\n`);
      return 0;
    }
    const [eventsPath] = positionals;
    if (positionals.length !== 1 || eventsPath === undefined || !values.digests) {
      throw new UsageError('missing arguments');
    }
    const digests = readJson(values.digests);
    if (!Array.isArray(digests))
      throw new UsageError(`${values.digests}: not a JSON array of digests`);
    const { keys, anonymous } = readKeys(values['public-key'] ?? [], values['public-keys']);
    const reports = verifyOffline({
      events: readEvents(eventsPath),
      digests: digests as Digest[],
      keys,
      anonymousKeys: anonymous,
      partial: values.partial,
    });
    const failed = [...reports.values()].some((report) => report.status !== 'ok');
    if (values.json) {
      out.write(`${JSON.stringify(Object.fromEntries(reports), null, 2)}\n`);
    } else {
      for (const [company, report] of reports)
        out.write(summary(company, report, describeReport(company, report)));
    }
    return failed ? 1 : 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      err.write(`auditlog-verify: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    err.write(`auditlog-verify: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}

function summary(company: string, report: VerifyReport, problems: string[]): string {
  const counts = `${report.digests} digest(s), ${report.events} event(s)`;
  const extra = [
    report.expired.length > 0 ? `${report.expired.length} expired window(s)` : '',
    report.unsealed > 0 ? `${report.unsealed} event(s) before the first digest` : '',
    report.pending > 0 ? `${report.pending} event(s) after the last digest` : '',
  ].filter(Boolean);
  const head = `${company}: ${report.status === 'ok' ? 'OK' : 'FAILED'} (${[counts, ...extra].join(', ')})`;
  return `${[head, ...problems].join('\n')}\n`;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
