// The hash chain the trail was before it became a verifiable log (audit_chain_legacy). Its
// verification answers as it did: each event's hash covers its content and the hash before it.
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { canonicalJson } from '../shared/json.ts';
import { eventFields, type LoggedContent } from './audit-log.ts';
import { BreakTally, type BreakReport } from './verification.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** An event of the old chain: a log entry's content and the hash of the event before it. */
type ChainedEvent = LoggedContent & { prevHash: string };

export function legacyHash(event: ChainedEvent): string {
  return createHash('sha256').update(canonicalJson({ ...eventFields(event), prevHash: event.prevHash })).digest('hex');
}

export interface LegacyChainVerification {
  intact: boolean;
  eventsChecked: number;
  lastSeq: string | null;
  lastHash: string;
  breaks: BreakReport;
}

const BATCH = 2_000;

/** Recomputes every hash of the old chain in batches, reporting every break, not only the first. */
export async function verifyLegacyChain(prisma: PrismaClient): Promise<LegacyChainVerification> {
  const tally = new BreakTally();
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let checked = 0;
  for (;;) {
    const batch = await prisma.auditChainLegacy.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: BATCH });
    for (const event of batch) {
      if (event.seq !== expectedSeq) tally.add({ kind: 'legacy_sequence_gap', seq: String(event.seq), problem: `sequence jumps from ${expectedSeq - 1n} to ${event.seq}` });
      if (event.prevHash !== prevHash) tally.add({ kind: 'legacy_link_broken', seq: String(event.seq), problem: 'prev_hash does not match the hash of the event before it' });
      if (legacyHash(event) !== event.hash) tally.add({ kind: 'legacy_hash_mismatch', seq: String(event.seq), problem: 'hash does not match the event content' });
      // Go on from what the event says, so that every later change is found too.
      prevHash = event.hash;
      expectedSeq = event.seq + 1n;
      checked++;
    }
    if (batch.length < BATCH) break;
  }
  return { intact: tally.count === 0, eventsChecked: checked, lastSeq: checked ? String(expectedSeq - 1n) : null, lastHash: prevHash, breaks: tally.report() };
}
