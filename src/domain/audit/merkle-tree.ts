// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency v2), as pure functions: the tree
// hash, the shape of inclusion and consistency proofs, and their verification. Nothing here
// reads the database: a proof is described as leaf ranges whose hashes the caller supplies.
import { createHash } from 'node:crypto';

export type Hash = Buffer;

export const HASH_SIZE = 32;

function sha256(...parts: Uint8Array[]): Hash {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256(): the hash of the empty tree. */
export const EMPTY_ROOT: Hash = sha256();

/** MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export const leafHash = (entry: Uint8Array): Hash => sha256(LEAF_PREFIX, entry);

/** SHA-256(0x01 || left || right). */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Hash => sha256(NODE_PREFIX, left, right);

/** For n > 1, the largest power of two smaller than n: k < n <= 2k. */
export function splitPoint(n: number): number {
  if (!(n > 1)) throw new RangeError(`no split point for a tree of ${n} leaves`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export const isPowerOfTwo = (n: number) => n >= 1 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;

/** The leaves D[start:end] (end excluded); every proof element is the MTH of one such range. */
export interface LeafRange {
  start: number;
  end: number;
}

/** A complete subtree: the 2^level leaves from index * 2^level on. */
export interface NodeId {
  level: number;
  index: number;
}

function assertSize(name: string, n: number) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1, as the leaf ranges whose hashes make up the path, from
 * the leaf's sibling up to the root's child:
 *   PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])   for m < k
 *   PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k
 */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  assertSize('tree size', n);
  if (!Number.isSafeInteger(m) || m < 0 || m >= n) throw new RangeError(`leaf ${m} is not in a tree of ${n} leaves`);
  const path: LeafRange[] = [];
  const walk = (m: number, start: number, end: number) => {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (m < k) {
      walk(m, start, start + k);
      path.push({ start: start + k, end });
    } else {
      walk(m - k, start + k, end);
      path.push({ start, end: start + k });
    }
  };
  walk(m, 0, n);
  return path;
}

/**
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1, as leaf ranges:
 *   SUBPROOF(m, D[m], true) = {}             SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])        for m <= k
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]) for m > k
 * Between equal sizes the proof is empty.
 */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  assertSize('tree size', n);
  if (!Number.isSafeInteger(m) || m < 1 || m > n) throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  const proof: LeafRange[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean) => {
    if (m === end - start) {
      if (!complete) proof.push({ start, end });
      return;
    }
    const k = splitPoint(end - start);
    if (m <= k) {
      sub(m, start, start + k, complete);
      proof.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      proof.push({ start, end: start + k });
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/**
 * MTH(D[start:end]) from the hashes of complete subtrees: a range of 2^j leaves aligned on 2^j
 * is one complete subtree; any other range splits at k as the tree hash does.
 */
export function rangeHash(range: LeafRange, subtree: (node: NodeId) => Hash): Hash {
  const n = range.end - range.start;
  if (n < 1) throw new RangeError(`empty range ${range.start}..${range.end}`);
  if (isPowerOfTwo(n) && range.start % n === 0) return subtree({ level: Math.log2(n), index: range.start / n });
  const k = splitPoint(n);
  return nodeHash(rangeHash({ start: range.start, end: range.start + k }, subtree), rangeHash({ start: range.start + k, end: range.end }, subtree));
}

/** The complete subtrees rangeHash needs for a range, left to right. */
export function subtreesOf(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  rangeHash(range, (node) => {
    nodes.push(node);
    return EMPTY_ROOT;
  });
  return nodes;
}

/** MTH(D[n]) over the leaf hashes themselves (reference definition, for tests and small trees). */
export function treeHash(leafHashes: Hash[]): Hash {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  return rangeHash({ start: 0, end: leafHashes.length }, (node) => {
    let level = leafHashes.slice(node.index * 2 ** node.level, (node.index + 1) * 2 ** node.level);
    while (level.length > 1) level = level.flatMap((h, i) => (i % 2 ? [] : [nodeHash(h, level[i + 1]!)]));
    return level[0]!;
  });
}

const half = (x: number) => Math.floor(x / 2);
const isOdd = (x: number) => x % 2 === 1;
const sameHash = (a: Uint8Array, b: Uint8Array) => a.length === HASH_SIZE && b.length === HASH_SIZE && Buffer.compare(a, b) === 0;

/** RFC 9162 §2.1.3.2: does `path` prove that the leaf with this hash is leaf m of the tree with this root? */
export function verifyInclusion(m: number, n: number, leaf: Uint8Array, path: Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m >= n || leaf.length !== HASH_SIZE) return false;
  let fn = m;
  let sn = n - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (p.length !== HASH_SIZE || sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of size `m` with root `firstRoot` is a
 * prefix of the tree of size `n` with root `secondRoot`? Equal sizes need equal roots and an
 * empty proof; a proof from the empty tree proves nothing and is refused.
 */
export function verifyConsistency(m: number, n: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: Uint8Array[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 1 || m > n) return false;
  if (m === n) return proof.length === 0 && Buffer.compare(firstRoot, secondRoot) === 0;
  if (proof.length === 0 || firstRoot.length !== HASH_SIZE || secondRoot.length !== HASH_SIZE) return false;
  const path = isPowerOfTwo(m) ? [firstRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (c.length !== HASH_SIZE || sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sameHash(fr, firstRoot) && sameHash(sr, secondRoot) && sn === 0;
}

/**
 * The right edge of a growing tree: the complete subtrees covering D[0:size], largest first
 * (one per set bit of size). Appending a leaf merges equal levels; the root folds them from
 * the right. Memory O(log n), so a verifier can stream every leaf.
 */
export class CompactRange {
  private readonly nodes: { level: number; hash: Hash }[] = [];
  size = 0;

  /** The right edge of an existing tree of `size` leaves, from the hashes of its complete subtrees. */
  static of(size: number, subtree: (node: NodeId) => Hash): CompactRange {
    const range = new CompactRange();
    let start = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
      if (size - start >= 2 ** level) {
        range.nodes.push({ level, hash: subtree({ level, index: start / 2 ** level }) });
        start += 2 ** level;
      }
    }
    range.size = size;
    return range;
  }

  /** Appends a leaf hash; calls `completed` for every complete subtree this append closes (level ≥ 1). */
  append(leaf: Hash, completed?: (node: NodeId, hash: Hash) => void): void {
    let hash = leaf;
    let level = 0;
    while (this.nodes.length && this.nodes.at(-1)!.level === level) {
      hash = nodeHash(this.nodes.pop()!.hash, hash);
      level++;
      completed?.({ level, index: Math.floor(this.size / 2 ** level) }, hash);
    }
    this.nodes.push({ level, hash });
    this.size++;
  }

  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let acc = this.nodes.at(-1)!.hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeHash(this.nodes[i]!.hash, acc);
    return acc;
  }
}
