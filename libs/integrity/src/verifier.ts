import type { KeyObject } from 'node:crypto';
import { eventHash } from '@auditlog/events';
import { type Digest, digestHash, verifyDigestSignature } from './digest';
import { merkleRootHex } from './merkle';

export type ChainProblemKind =
  | 'bad_signature'
  | 'unknown_key'
  | 'bad_merkle_root'
  | 'bad_event_count'
  | 'broken_link'
  | 'gap'
  | 'wrong_company';

export interface ChainProblem {
  window_start: string;
  problem: ChainProblemKind;
  detail: string;
}

export interface ModifiedEvent {
  id: string;
  window_start: string | null;
  /** `content`: the event no longer matches its own `hash`; `hash`: its hash is not the sealed one. */
  reason: 'content' | 'hash';
}

export interface VerifyReport {
  status: 'ok' | 'failed';
  digests: number;
  events: number;
  modified: ModifiedEvent[];
  missing: Array<{ id: string; window_start: string }>;
  unexpected: Array<{ id: string; received_at: string }>;
  /** Windows whose events are gone because they are past retention: not tampering. */
  expired: Array<{ window_start: string; window_end: string; event_count: number }>;
  chain: ChainProblem[];
  /** Events received before the first digest of the range (before sealing began). */
  unsealed: number;
  /** Events received after the last digest of the range (not sealed yet). */
  pending: number;
  /** True when a list was cut at `MAX_LISTED` entries. */
  truncated: boolean;
}

export const MAX_LISTED = 1000;

/** The shape an event must have to be checked: the owner view, `hash` included. */
export interface CheckedEvent {
  id: string;
  received_at: string;
  hash: string;
}

export interface VerifierOptions {
  /** Digests of one company, any order; they are sorted by window_start. */
  digests: readonly Digest[];
  /**
   * The digest right before the first one, to check the first link: a Digest, `null` when
   * the first digest starts the chain, `undefined` when not known (the link is not checked).
   */
  predecessor?: Digest | null;
  /** Public keys by key id. */
  keys: ReadonlyMap<string, KeyObject>;
  /** Keys without an id (offline use): tried for digests whose key id is unknown. */
  anonymousKeys?: readonly KeyObject[];
  /** Windows ending at or before this instant are past retention. */
  expiredBefore?: string;
  /** When false, sealed events absent from the input are not reported (partial exports). */
  checkMissing?: boolean;
}

interface WindowState {
  digest: Digest;
  sealed: Map<string, string>;
  seen: Set<string>;
}

/**
 * Checks a company's digests (signatures, Merkle roots, chain links) and a set of events
 * against them. Pure: callers feed events in any order and read the report.
 */
export class Verifier {
  private readonly windows: WindowState[];
  private readonly report: VerifyReport;

  constructor(private readonly options: VerifierOptions) {
    const sorted = [...options.digests].sort((a, b) =>
      a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : 0,
    );
    this.windows = sorted.map((digest) => ({
      digest,
      sealed: new Map(digest.leaves.map((leaf) => [leaf.id, leaf.hash])),
      seen: new Set<string>(),
    }));
    this.report = {
      status: 'ok',
      digests: sorted.length,
      events: 0,
      modified: [],
      missing: [],
      unexpected: [],
      expired: [],
      chain: [],
      unsealed: 0,
      pending: 0,
      truncated: false,
    };
    this.checkChain(sorted);
  }

  addEvent(event: CheckedEvent): void {
    this.report.events += 1;
    const window = this.windowOf(event.received_at);
    const windowStart = typeof window === 'object' ? window.digest.window_start : null;
    if (eventHash(event as Parameters<typeof eventHash>[0]) !== event.hash) {
      this.list(this.report.modified, {
        id: event.id,
        window_start: windowStart,
        reason: 'content',
      });
    }
    if (window === 'before') {
      this.report.unsealed += 1;
      return;
    }
    if (window === 'after') {
      this.report.pending += 1;
      return;
    }
    const sealedHash = window?.sealed.get(event.id);
    if (!window || sealedHash === undefined) {
      this.list(this.report.unexpected, { id: event.id, received_at: event.received_at });
      return;
    }
    window.seen.add(event.id);
    if (sealedHash !== event.hash) {
      this.list(this.report.modified, { id: event.id, window_start: windowStart, reason: 'hash' });
    }
  }

  finish(): VerifyReport {
    if (this.options.checkMissing !== false) this.collectMissing();
    const report = this.report;
    const failed =
      report.modified.length +
      report.missing.length +
      report.unexpected.length +
      report.chain.length;
    report.status = failed > 0 ? 'failed' : 'ok';
    return report;
  }

  private collectMissing(): void {
    const expiredBefore = this.options.expiredBefore;
    for (const { digest, sealed, seen } of this.windows) {
      const absent = [...sealed.keys()].filter((id) => !seen.has(id));
      if (absent.length === 0) continue;
      if (expiredBefore !== undefined && digest.window_end <= expiredBefore) {
        this.report.expired.push({
          window_start: digest.window_start,
          window_end: digest.window_end,
          event_count: digest.event_count,
        });
        continue;
      }
      for (const id of absent)
        this.list(this.report.missing, { id, window_start: digest.window_start });
    }
  }

  private checkChain(sorted: readonly Digest[]): void {
    const companies = new Set(sorted.map((digest) => digest.company_id));
    let previous = this.options.predecessor;
    for (const digest of sorted) {
      if (companies.size > 1) {
        this.problem(
          digest,
          'wrong_company',
          `digests of several companies: ${[...companies].join(', ')}`,
        );
      }
      this.checkSelf(digest);
      if (previous === undefined) {
        previous = digest;
        continue;
      }
      if (previous === null) {
        if (digest.previous_digest_hash !== null) {
          this.problem(digest, 'broken_link', 'the previous digest does not exist');
        }
      } else {
        if (previous.window_end !== digest.window_start) {
          this.problem(
            digest,
            'gap',
            `no digest covers ${previous.window_end} to ${digest.window_start}`,
          );
        }
        if (digest.previous_digest_hash !== digestHash(previous)) {
          this.problem(
            digest,
            'broken_link',
            'previous_digest_hash does not match the previous digest',
          );
        }
      }
      previous = digest;
    }
  }

  private checkSelf(digest: Digest): void {
    const key = this.options.keys.get(digest.key_id);
    const candidates = key ? [key] : [...(this.options.anonymousKeys ?? [])];
    if (candidates.length === 0) {
      this.problem(digest, 'unknown_key', `no public key with id "${digest.key_id}"`);
    } else if (!candidates.some((candidate) => verifyDigestSignature(digest, candidate))) {
      this.problem(
        digest,
        'bad_signature',
        `the signature does not verify with key "${digest.key_id}"`,
      );
    }
    const leaves = Array.isArray(digest.leaves) ? digest.leaves : [];
    if (merkleRootHex(leaves.map((leaf) => leaf.hash)) !== digest.merkle_root) {
      this.problem(digest, 'bad_merkle_root', 'the Merkle root does not match the leaves');
    }
    if (leaves.length !== digest.event_count) {
      this.problem(
        digest,
        'bad_event_count',
        `event_count ${digest.event_count} but ${leaves.length} leaves`,
      );
    }
  }

  /** The digest window holding this instant, 'before'/'after' the digests, or undefined in a gap. */
  private windowOf(receivedAt: string): WindowState | 'before' | 'after' | undefined {
    const windows = this.windows;
    const first = windows[0];
    const last = windows.at(-1);
    if (first === undefined || last === undefined || receivedAt < first.digest.window_start) {
      return 'before';
    }
    if (receivedAt >= last.digest.window_end) return 'after';
    let low = 0;
    let high = windows.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const window = windows[middle];
      if (window === undefined) break;
      const digest = window.digest;
      if (receivedAt < digest.window_start) high = middle - 1;
      else if (receivedAt >= digest.window_end) low = middle + 1;
      else return window;
    }
    return undefined;
  }

  private problem(digest: Digest, problem: ChainProblemKind, detail: string): void {
    this.list(this.report.chain, { window_start: digest.window_start, problem, detail });
  }

  private list<T>(target: T[], entry: T): void {
    if (target.length < MAX_LISTED) target.push(entry);
    else this.report.truncated = true;
  }
}
