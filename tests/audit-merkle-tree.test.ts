// The Merkle tree of RFC 9162 §2.1, checked against the RFC's own examples, the RFC 6962 test
// vectors of transparency-dev/merkle, and properties over random trees.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CompactRange,
  consistencyRanges,
  EMPTY_ROOT,
  inclusionRanges,
  leafHash,
  nodeHash,
  rangeHash,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type LeafRange,
} from '../src/domain/audit/merkle-tree.ts';
import vectors from './fixtures/rfc9162-proof-vectors.json' with { type: 'json' };

const b64 = (s: string) => Buffer.from(s, 'base64');
const hex = (h: Buffer) => h.toString('hex');
const leaves = (count: number, salt = 'leaf') => Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`${salt} ${i}`)));
/** The hash of each range, computed from the leaves by the tree hash itself. */
const hashesOf = (hashes: Hash[], ranges: LeafRange[]) => ranges.map((r) => treeHash(hashes.slice(r.start, r.end)));
const inclusionProof = (hashes: Hash[], m: number) => hashesOf(hashes, inclusionRanges(m, hashes.length));
const consistencyProof = (hashes: Hash[], m: number) => hashesOf(hashes, consistencyRanges(m, hashes.length));

// The RFC 6962 test leaves and the roots of their first 0..8 (transparency-dev/merkle testonly).
const rfc6962Inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const rfc6962Roots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 9162 §2.1.1: the Merkle Tree Hash', () => {
  it('hashes the empty tree as SHA-256 of nothing, a leaf with prefix 0x00 and a node with prefix 0x01', () => {
    expect(hex(EMPTY_ROOT)).toBe(createHash('sha256').digest('hex'));
    expect(hex(leafHash(Buffer.from('abc')))).toBe(createHash('sha256').update(Buffer.from([0])).update('abc').digest('hex'));
    const [l, r] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    expect(hex(nodeHash(l, r))).toBe(createHash('sha256').update(Buffer.from([1])).update(l).update(r).digest('hex'));
  });

  it('gives the RFC 6962 test vectors’ root for every size from 0 to 8', () => {
    const hashes = rfc6962Inputs.map(leafHash);
    rfc6962Roots.forEach((root, size) => expect(hex(treeHash(hashes.slice(0, size)))).toBe(root));
  });

  it('splits D[n] at k, the largest power of two smaller than n: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))', () => {
    const hashes = leaves(7);
    expect(treeHash(hashes)).toEqual(nodeHash(treeHash(hashes.slice(0, 4)), treeHash(hashes.slice(4))));
  });

  it('grows a compact range whose root is the tree hash at every size', () => {
    const hashes = leaves(70);
    const range = new CompactRange();
    expect(range.root()).toEqual(EMPTY_ROOT);
    hashes.forEach((h, i) => {
      range.append(h);
      expect(range.root()).toEqual(treeHash(hashes.slice(0, i + 1)));
    });
  });
});

// RFC 9162 §2.1.5: the tree of seven leaves d0..d6 and its named nodes.
const named: Record<string, LeafRange> = {
  a: { start: 0, end: 1 }, b: { start: 1, end: 2 }, c: { start: 2, end: 3 }, d: { start: 3, end: 4 },
  e: { start: 4, end: 5 }, f: { start: 5, end: 6 }, j: { start: 6, end: 7 },
  g: { start: 0, end: 2 }, h: { start: 2, end: 4 }, i: { start: 4, end: 6 },
  k: { start: 0, end: 4 }, l: { start: 4, end: 7 },
};
const names = (ranges: LeafRange[]) => ranges.map((r) => Object.entries(named).find(([, n]) => n.start === r.start && n.end === r.end)?.[0] ?? `${r.start}..${r.end}`);

describe('RFC 9162 §2.1.3: inclusion proofs', () => {
  it('gives the RFC’s example paths in the tree of seven leaves: d0 [b, h, l], d3 [c, g, l], d4 [f, j, k], d6 [i, k]', () => {
    expect(names(inclusionRanges(0, 7))).toEqual(['b', 'h', 'l']);
    expect(names(inclusionRanges(3, 7))).toEqual(['c', 'g', 'l']);
    expect(names(inclusionRanges(4, 7))).toEqual(['f', 'j', 'k']);
    expect(names(inclusionRanges(6, 7))).toEqual(['i', 'k']);
  });

  it('verifies or refuses every inclusion probe of transparency-dev/merkle as expected', () => {
    for (const p of vectors.inclusion) {
      const ok = verifyInclusion(p.leafIdx, p.treeSize, b64(p.leafHash ?? ''), (p.proof ?? []).map(b64), b64(p.root ?? ''));
      expect({ file: p.file, ok }).toEqual({ file: p.file, ok: !p.wantErr });
    }
  });

  it('verifies the path of every leaf of random trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (n, pick) => {
        const hashes = leaves(n);
        const m = pick % n;
        expect(verifyInclusion(m, n, hashes[m]!, inclusionProof(hashes, m), treeHash(hashes))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a path once any leaf is changed, removed, reordered or inserted, or the path itself is altered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.nat(), fc.constantFrom('changed', 'removed', 'reordered', 'inserted'), (n, pick, tampering) => {
        const hashes = leaves(n);
        const root = treeHash(hashes);
        const j = pick % (n - 1);
        const tampered = [...hashes];
        if (tampering === 'changed') tampered[j] = leafHash(Buffer.from('forged'));
        if (tampering === 'removed') tampered.splice(j, 1);
        if (tampering === 'reordered') [tampered[j], tampered[j + 1]] = [tampered[j + 1]!, tampered[j]!];
        if (tampering === 'inserted') tampered.splice(j, 0, leafHash(Buffer.from('slipped in')));
        // What stands at position j now cannot be proven against the root of the true tree.
        expect(verifyInclusion(j, n, tampered[j]!, inclusionProof(tampered, j), root)).toBe(false);
        // A true path with one element altered, dropped or added proves nothing either.
        const path = inclusionProof(hashes, j);
        const flipped = path.map((h, i) => (i === pick % path.length ? Buffer.from(h.map((byte, b) => (b === 0 ? byte ^ 1 : byte))) : h));
        expect(verifyInclusion(j, n, hashes[j]!, flipped, root)).toBe(false);
        expect(verifyInclusion(j, n, hashes[j]!, path.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(j, n, hashes[j]!, [...path, root], root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('RFC 9162 §2.1.4: consistency proofs', () => {
  it('gives the RFC’s example proofs towards the tree of seven leaves: from 3 [c, d, g, l], from 4 [l], from 6 [i, j, k]', () => {
    expect(names(consistencyRanges(3, 7))).toEqual(['c', 'd', 'g', 'l']);
    expect(names(consistencyRanges(4, 7))).toEqual(['l']);
    expect(names(consistencyRanges(6, 7))).toEqual(['i', 'j', 'k']);
    expect(consistencyRanges(7, 7)).toEqual([]);
  });

  it('verifies or refuses every consistency probe of transparency-dev/merkle as expected', () => {
    for (const p of vectors.consistency) {
      const ok = verifyConsistency(p.size1, p.size2, b64(p.root1 ?? ''), b64(p.root2 ?? ''), (p.proof ?? []).map(b64));
      expect({ file: p.file, ok }).toEqual({ file: p.file, ok: !p.wantErr });
    }
  });

  it('verifies the proof between any two sizes of random trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (n, pick) => {
        const hashes = leaves(n);
        const m = 1 + (pick % n);
        expect(verifyConsistency(m, n, treeHash(hashes.slice(0, m)), treeHash(hashes), consistencyProof(hashes, m))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to prove a tree consistent with an earlier head once a leaf under that head is changed, removed, reordered or inserted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 200 }), fc.nat(), fc.nat(), fc.constantFrom('changed', 'removed', 'reordered', 'inserted'), (n, pickM, pickJ, tampering) => {
        const hashes = leaves(n);
        const m = 2 + (pickM % (n - 2)); // 2 ≤ m < n
        const oldRoot = treeHash(hashes.slice(0, m));
        const j = pickJ % (m - 1); // the leaf tampered with lies under the earlier head
        const tampered = [...hashes];
        if (tampering === 'changed') tampered[j] = leafHash(Buffer.from('forged'));
        if (tampering === 'removed') tampered.splice(j, 1);
        if (tampering === 'reordered') [tampered[j], tampered[j + 1]] = [tampered[j + 1]!, tampered[j]!];
        if (tampering === 'inserted') tampered.splice(j, 0, leafHash(Buffer.from('slipped in')));
        expect(verifyConsistency(m, tampered.length, oldRoot, treeHash(tampered), consistencyProof(tampered, m))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hashing a range from complete subtrees', () => {
  it('gives MTH(D[start:end]) for any range the proofs use', () => {
    const hashes = leaves(100);
    const subtree = ({ level, index }: { level: number; index: number }) => treeHash(hashes.slice(index * 2 ** level, (index + 1) * 2 ** level));
    for (const n of [1, 2, 3, 7, 8, 9, 33, 64, 100]) {
      for (let m = 0; m < n; m++) {
        for (const r of [...inclusionRanges(m, n), ...consistencyRanges(m + 1, n)]) {
          expect(rangeHash(r, subtree)).toEqual(treeHash(hashes.slice(r.start, r.end)));
        }
      }
    }
  });
});
