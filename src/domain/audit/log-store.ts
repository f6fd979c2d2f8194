// The Merkle tree as the database holds it: leaf hashes on audit_event (level 0) and complete
// subtrees at levels 4, 8, … in audit_node (node-tiles.ts). Every proof or root reads the few
// runs of stored nodes it needs in one statement, O(log n) rows at any size, and folds them.
import { Prisma } from '../../generated/prisma/client.ts';
import { CompactRange, consistencyRanges, inclusionRanges, rangeHash, type Hash, type LeafRange, type NodeId } from './merkle-tree.ts';
import { edgeRuns, runsFor, subtreeFromStored, type StoredRun } from './node-tiles.ts';

export interface RawQueries {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Prisma.PrismaPromise<T>;
}

/** Reads stored runs in one statement; returns the lookup subtreeFromStored expects. */
export async function readStored(db: RawQueries, runs: StoredRun[]): Promise<(level: number, index: number) => Hash> {
  const found = new Map<string, Hash>();
  if (runs.length) {
    const parts = runs.map((run) =>
      run.level === 0
        ? Prisma.sql`SELECT 0 AS level, seq - 1 AS index, leaf_hash AS hash FROM audit_event WHERE seq BETWEEN ${BigInt(run.from) + 1n} AND ${BigInt(run.to) + 1n}`
        : Prisma.sql`SELECT level::int AS level, index, hash FROM audit_node WHERE level = ${run.level} AND index BETWEEN ${BigInt(run.from)} AND ${BigInt(run.to)}`,
    );
    const rows = await db.$queryRaw<{ level: number; index: bigint; hash: Uint8Array }[]>(Prisma.sql`${Prisma.join(parts, ' UNION ALL ')}`);
    for (const row of rows) found.set(`${Number(row.level)}:${row.index}`, Buffer.from(row.hash));
  }
  return (level, index) => {
    const hash = found.get(`${level}:${index}`);
    if (!hash) throw new MissingNode(level, index);
    return hash;
  };
}

/** A node a proof needs is not stored: the tree is smaller than asked, or damaged. */
export class MissingNode extends Error {
  constructor(
    readonly level: number,
    readonly index: number,
  ) {
    super(`the log holds no node at level ${level}, index ${index}`);
  }
}

async function hashesOf(db: RawQueries, ranges: LeafRange[]): Promise<Hash[]> {
  const stored = await readStored(db, runsFor(ranges));
  const subtree = (node: NodeId) => subtreeFromStored(node, stored);
  return ranges.map((range) => rangeHash(range, subtree));
}

/** The audit path of leaf `index` in the tree of `size` leaves, from the leaf's sibling up. */
export const inclusionProof = (db: RawQueries, index: number, size: number) => hashesOf(db, inclusionRanges(index, size));

/** The RFC 9162 consistency proof from the tree of `first` leaves to the tree of `second`. */
export const consistencyProof = (db: RawQueries, first: number, second: number) =>
  first === second ? Promise.resolve([]) : hashesOf(db, consistencyRanges(first, second));

/** The right edge of the stored tree of `size` leaves, ready to be appended to. */
export async function treeEdge(db: RawQueries, size: number): Promise<CompactRange> {
  if (size === 0) return new CompactRange();
  const stored = await readStored(db, edgeRuns(size));
  return CompactRange.of(size, (node) => subtreeFromStored(node, stored));
}
