// Stored node hashes: leaves plus complete subtrees at levels 4, 8, 12, … are enough to hash
// any proof element and the root, in a few short reads.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { consistencyRanges, inclusionRanges, leafHash, rangeHash, treeHash, type Hash } from '../src/domain/audit/merkle-tree.ts';
import { edgeRuns, nodesCompletedBy, runsFor, storedNodeCounts, subtreeFromStored, type StoredRun } from '../src/domain/audit/node-tiles.ts';

const leaves = (count: number) => Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

/** What the log would store for these leaves: every complete subtree at a stored level. */
function storedTree(hashes: Hash[]) {
  const stored = new Map<string, Hash>();
  hashes.forEach((h, i) => stored.set(`0:${i}`, h));
  for (const { level, count } of storedNodeCounts(hashes.length)) {
    for (let index = 0; index < count; index++) stored.set(`${level}:${index}`, treeHash(hashes.slice(index * 2 ** level, (index + 1) * 2 ** level)));
  }
  return stored;
}

/** A reader that fails on any node outside the runs it was allowed to read. */
function reader(stored: Map<string, Hash>, runs: StoredRun[]) {
  return (level: number, index: number) => {
    if (!runs.some((r) => r.level === level && r.from <= index && index <= r.to)) throw new Error(`read ${level}:${index} outside the planned runs`);
    const hash = stored.get(`${level}:${index}`);
    if (!hash) throw new Error(`node ${level}:${index} is not stored`);
    return hash;
  };
}

describe('stored node tiles', () => {
  it('hashes every proof element from the runs planned for it, for random trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 700 }), fc.nat(), (n, pick) => {
        const hashes = leaves(n);
        const stored = storedTree(hashes);
        const m = pick % n;
        for (const ranges of [inclusionRanges(m, n), consistencyRanges(m + 1, n)]) {
          const read = reader(stored, runsFor(ranges));
          for (const r of ranges) expect(rangeHash(r, (node) => subtreeFromStored(node, read))).toEqual(treeHash(hashes.slice(r.start, r.end)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('hashes the root from the right edge alone (at most 15 stored nodes per stored level)', () => {
    for (const n of [1, 15, 16, 17, 255, 256, 257, 300, 4095, 4096, 4097, 5000]) {
      const hashes = leaves(n);
      const runs = edgeRuns(n);
      for (const run of runs) expect(run.to - run.from + 1).toBeLessThanOrEqual(15);
      const read = reader(storedTree(hashes), runs);
      expect(rangeHash({ start: 0, end: n }, (node) => subtreeFromStored(node, read))).toEqual(treeHash(hashes));
    }
  });

  it('names the stored nodes an append completes, so that none is missing or written twice', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 6 }), (steps) => {
        const written = new Set<string>();
        let size = 0;
        for (const step of steps) {
          for (const node of nodesCompletedBy(size, size + step)) {
            const key = `${node.level}:${node.index}`;
            expect(written.has(key)).toBe(false);
            written.add(key);
          }
          size += step;
        }
        const expected = storedNodeCounts(size).flatMap(({ level, count }) => Array.from({ length: count }, (_, i) => `${level}:${i}`));
        expect([...written].sort()).toEqual(expected.sort());
      }),
    );
  });

  it('reads about log2(n)/4 runs for a proof in a tree of 10^8 leaves', () => {
    const n = 100_000_000;
    for (const m of [0, 12_345_678, n - 1]) {
      const inclusion = runsFor(inclusionRanges(m, n));
      const consistency = runsFor(consistencyRanges(m + 1, n));
      // 27 levels, 7 stored levels: one tile near the path and at most one near the right edge per level.
      for (const runs of [inclusion, consistency]) {
        expect(runs.length).toBeLessThanOrEqual(14);
        expect(runs.reduce((sum, r) => sum + r.to - r.from + 1, 0)).toBeLessThanOrEqual(14 * 16);
      }
    }
  });
});
