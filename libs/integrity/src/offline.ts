import type { KeyObject } from 'node:crypto';
import type { Digest } from './digest';
import { type CheckedEvent, Verifier, type VerifyReport } from './verifier';

export interface OfflineInput {
  events: ReadonlyArray<CheckedEvent & { company_id: string }>;
  digests: readonly Digest[];
  keys: ReadonlyMap<string, KeyObject>;
  anonymousKeys?: readonly KeyObject[];
  /** An export holds only some events of the digests' windows: skip the missing check. */
  partial?: boolean;
}

/** Verifies an export against downloaded digests, one report per company. */
export function verifyOffline(input: OfflineInput): Map<string, VerifyReport> {
  const companies = new Set([
    ...input.digests.map((digest) => digest.company_id),
    ...input.events.map((event) => event.company_id),
  ]);
  const reports = new Map<string, VerifyReport>();
  for (const company of [...companies].sort()) {
    const verifier = new Verifier({
      digests: input.digests.filter((digest) => digest.company_id === company),
      keys: input.keys,
      anonymousKeys: input.anonymousKeys,
      checkMissing: !input.partial,
    });
    for (const event of input.events) if (event.company_id === company) verifier.addEvent(event);
    reports.set(company, verifier.finish());
  }
  return reports;
}

/** Human-readable lines for one company's report. */
export function describeReport(company: string, report: VerifyReport): string[] {
  const lines: string[] = [];
  for (const problem of report.chain) {
    lines.push(
      `${company}: digest ${problem.window_start}: ${problem.problem} (${problem.detail})`,
    );
  }
  for (const event of report.modified) {
    const why =
      event.reason === 'content'
        ? 'content does not match its hash'
        : 'hash differs from the sealed hash';
    lines.push(`${company}: modified event ${event.id}: ${why}`);
  }
  for (const event of report.missing) {
    lines.push(`${company}: missing event ${event.id} (sealed in window ${event.window_start})`);
  }
  for (const event of report.unexpected) {
    lines.push(
      `${company}: unexpected event ${event.id} (received ${event.received_at}, not sealed)`,
    );
  }
  if (report.truncated) lines.push(`${company}: more problems than listed`);
  return lines;
}
