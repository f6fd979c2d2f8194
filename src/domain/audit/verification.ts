// Every break a verification finds, tallied: how many, the first and the last, and how many of
// each kind. A verification never stops at the first break, so later tampering is not hidden
// behind an earlier one.

export const BREAK_KINDS = [
  'leaf_hash_mismatch',
  'sequence_gap',
  'node_mismatch',
  'node_missing',
  'head_root_mismatch',
  'head_signature_invalid',
  'head_beyond_log',
  'legacy_sequence_gap',
  'legacy_link_broken',
  'legacy_hash_mismatch',
] as const;

export type BreakKind = (typeof BREAK_KINDS)[number];

export interface Break {
  kind: BreakKind;
  /** The event concerned, if one is. */
  seq?: string;
  /** The tree head concerned, if one is. */
  treeSize?: string;
  problem: string;
}

export interface BreakReport {
  count: number;
  first: Break | null;
  last: Break | null;
  byKind: Record<string, number>;
}

export class BreakTally {
  count = 0;
  private first: Break | null = null;
  private last: Break | null = null;
  private readonly byKind: Record<string, number> = {};

  add(found: Break) {
    this.count++;
    this.first ??= found;
    this.last = found;
    this.byKind[found.kind] = (this.byKind[found.kind] ?? 0) + 1;
  }

  report(): BreakReport {
    return { count: this.count, first: this.first, last: this.last, byKind: { ...this.byKind } };
  }
}
