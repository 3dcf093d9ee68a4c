import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function leafHash(leaf: Buffer): Buffer {
  return sha256(LEAF_PREFIX, leaf);
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** The largest power of two strictly smaller than n (n > 1), as RFC 6962 §2.1 splits. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Merkle Tree Hash of RFC 6962 §2.1: MTH({}) = SHA-256(""), MTH({d}) = SHA-256(0x00 || d),
 * MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two < n.
 */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  let level = leaves.map(leafHash);
  // Bottom-up pairing with the odd last node promoted unchanged yields the same tree as the
  // recursive k-split definition, without recursion depth limits.
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i];
      const right = level[i + 1];
      if (left === undefined) break;
      next.push(right === undefined ? left : nodeHash(left, right));
    }
    level = next;
  }
  const [root] = level;
  if (root === undefined) throw new Error('merkle: a non-empty tree has no root');
  return root;
}

/** The recursive definition, kept as the reference the iterative form is tested against. */
export function merkleRootRecursive(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  const [first] = leaves;
  if (leaves.length === 1 && first !== undefined) return leafHash(first);
  const k = splitPoint(leaves.length);
  return nodeHash(merkleRootRecursive(leaves.slice(0, k)), merkleRootRecursive(leaves.slice(k)));
}

/** Merkle root (hex) over event hashes given as 64-character hex strings. */
export function merkleRootHex(hashesHex: readonly string[]): string {
  return merkleRoot(hashesHex.map((hex) => Buffer.from(hex, 'hex'))).toString('hex');
}
