// Which node hashes the log stores, so that any proof costs O(log n) reads at any size:
// leaf hashes on the log rows (level 0) and complete subtrees only at levels that are
// multiples of 4 (about n/15 rows). A complete subtree at level 4k + r (r < 4) is computed
// from the 2^r stored nodes at level 4k beneath it, which lie in one contiguous index range,
// so a proof reads about log2(n)/4 short ranges, all in one statement. (The same idea as the
// tiles of C2SP tlog-tiles, with tiles of height 4.)
import { nodeHash, type Hash, type LeafRange, type NodeId, subtreesOf } from './merkle-tree.ts';

export const TILE_HEIGHT = 4;

/** Stored nodes at one level, indices from..to inclusive. */
export interface StoredRun {
  level: number;
  from: number;
  to: number;
}

export const storedLevelOf = (level: number) => level - (level % TILE_HEIGHT);

export const isStoredLevel = (level: number) => level % TILE_HEIGHT === 0;

/** The nodes at `base` (≤ node.level) under a complete subtree. */
export function nodesBeneath(node: NodeId, base: number): StoredRun {
  const width = 2 ** (node.level - base);
  return { level: base, from: node.index * width, to: (node.index + 1) * width - 1 };
}

/** Hash of a complete subtree, folded from the nodes at level `base` beneath it. */
export function foldFrom(node: NodeId, base: number, stored: (level: number, index: number) => Hash): Hash {
  const run = nodesBeneath(node, base);
  let row: Hash[] = [];
  for (let i = run.from; i <= run.to; i++) row.push(stored(base, i));
  while (row.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i]!, row[i + 1]!));
    row = next;
  }
  return row[0]!;
}

/** Hash of any complete subtree from the stored nodes (a stored node is its own source). */
export const subtreeFromStored = (node: NodeId, stored: (level: number, index: number) => Hash) =>
  foldFrom(node, storedLevelOf(node.level), stored);

/**
 * Sorts runs and merges those of a level less than a tile apart: the siblings of a path at
 * levels 4k..4k+3 fill one tile of 16 nodes but for the path's own node, and reading that one
 * extra node costs less than a second range.
 */
export function mergeRuns(runs: StoredRun[]): StoredRun[] {
  const sorted = [...runs].sort((a, b) => a.level - b.level || a.from - b.from);
  const merged: StoredRun[] = [];
  for (const run of sorted) {
    const last = merged.at(-1);
    if (last && last.level === run.level && run.from <= last.to + 2 ** TILE_HEIGHT) last.to = Math.max(last.to, run.to);
    else merged.push({ ...run });
  }
  return merged;
}

/** The stored runs to read to hash these leaf ranges (a proof, or the root). */
export function runsFor(ranges: LeafRange[]): StoredRun[] {
  return mergeRuns(ranges.flatMap((range) => subtreesOf(range).map((node) => nodesBeneath(node, storedLevelOf(node.level)))));
}

/**
 * The right edge of a tree of `size` leaves: at each stored level, the complete nodes of the
 * last, incomplete tile (at most 15 per level). They are all the tree's root needs, and all
 * that appending to the tree needs besides the new leaves.
 */
export function edgeRuns(size: number): StoredRun[] {
  const runs: StoredRun[] = [];
  for (let level = 0; 2 ** level <= size; level += TILE_HEIGHT) {
    const from = Math.floor(size / 2 ** (level + TILE_HEIGHT)) * 2 ** TILE_HEIGHT;
    const to = Math.floor(size / 2 ** level) - 1;
    if (to >= from) runs.push({ level, from, to });
  }
  return runs;
}

/** The stored interior nodes (levels 4, 8, …) that become complete when the tree grows from oldSize to newSize, lowest level first. */
export function nodesCompletedBy(oldSize: number, newSize: number): NodeId[] {
  const nodes: NodeId[] = [];
  for (let level = TILE_HEIGHT; 2 ** level <= newSize; level += TILE_HEIGHT) {
    for (let index = Math.floor(oldSize / 2 ** level); index < Math.floor(newSize / 2 ** level); index++) nodes.push({ level, index });
  }
  return nodes;
}

/** The stored nodes a tree must hold at `size`: per stored level ≥ 4, indices 0..count-1. */
export function storedNodeCounts(size: number): { level: number; count: number }[] {
  const counts: { level: number; count: number }[] = [];
  for (let level = TILE_HEIGHT; 2 ** level <= size; level += TILE_HEIGHT) counts.push({ level, count: Math.floor(size / 2 ** level) });
  return counts;
}
