import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '@auditlog/events';
import { merkleRootHex } from './merkle';

export const DIGEST_VERSION = 1;

/** One sealed event: its id and its stored `hash`, in leaf order. */
export interface DigestLeaf {
  id: string;
  hash: string;
}

/** Everything the signature covers. */
export interface UnsignedDigest {
  version: number;
  company_id: string;
  /** Inclusive start and exclusive end of the `received_at` window, ISO 8601 UTC with ms. */
  window_start: string;
  window_end: string;
  event_count: number;
  /** RFC 6962 Merkle Tree Hash (hex) over the leaves' hashes as raw 32-byte values. */
  merkle_root: string;
  /** The window's events ordered by (received_at, id). */
  leaves: DigestLeaf[];
  /** `digestHash` of the company's previous digest; null for the first one. */
  previous_digest_hash: string | null;
  key_id: string;
  created_at: string;
}

export interface Digest extends UnsignedDigest {
  /** Base64 Ed25519 signature over the UTF-8 canonical JSON of the digest without `signature`. */
  signature: string;
}

/** A sealed event as the digest job reads it. */
export interface LeafSource extends DigestLeaf {
  received_at: string;
}

/** Leaf order: received_at (ISO strings of equal shape sort chronologically), then id. */
export function compareLeafSources(a: LeafSource, b: LeafSource): number {
  if (a.received_at !== b.received_at) return a.received_at < b.received_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function digestId(companyId: string, windowStart: string): string {
  // `:` cannot occur in a company id, so the pair is unambiguous.
  return `${companyId}:${windowStart}`;
}

export function unsignedPart(digest: Digest): UnsignedDigest {
  const { signature: _signature, ...unsigned } = digest;
  return unsigned;
}

export function signingInput(digest: UnsignedDigest): Buffer {
  return Buffer.from(canonicalJson(digest), 'utf8');
}

/** SHA-256 hex over the canonical JSON of the whole digest, signature included. */
export function digestHash(digest: Digest): string {
  return createHash('sha256').update(canonicalJson(digest), 'utf8').digest('hex');
}

export interface DigestInput {
  companyId: string;
  windowStart: string;
  windowEnd: string;
  events: readonly LeafSource[];
  previous: Digest | null;
  keyId: string;
  createdAt: string;
}

export function buildDigest(input: DigestInput, privateKey: KeyObject): Digest {
  const leaves = [...input.events].sort(compareLeafSources).map(({ id, hash }) => ({ id, hash }));
  const unsigned: UnsignedDigest = {
    version: DIGEST_VERSION,
    company_id: input.companyId,
    window_start: input.windowStart,
    window_end: input.windowEnd,
    event_count: leaves.length,
    merkle_root: merkleRootHex(leaves.map((leaf) => leaf.hash)),
    leaves,
    previous_digest_hash: input.previous ? digestHash(input.previous) : null,
    key_id: input.keyId,
    created_at: input.createdAt,
  };
  const signature = sign(null, signingInput(unsigned), privateKey).toString('base64');
  return { ...unsigned, signature };
}

export function verifyDigestSignature(digest: Digest, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      signingInput(unsignedPart(digest)),
      publicKey,
      Buffer.from(digest.signature, 'base64'),
    );
  } catch {
    return false;
  }
}
