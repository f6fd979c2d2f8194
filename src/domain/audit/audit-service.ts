import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Json } from '../shared/json.ts';
import { GENESIS_HASH, hashEvent } from './audit-log.ts';

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  action?: string;
  after?: bigint;
  limit: number;
}

export interface ChainVerification {
  intact: boolean;
  eventsChecked: number;
  lastSeq: string | null;
  lastHash: string;
  /** The first event whose hash, link or sequence does not hold. */
  firstBroken: { seq: string; problem: string } | null;
  /**
   * A checkpoint an auditor kept from an earlier verification (its lastSeq and lastHash): the
   * chain can only show changes behind its head, so events cut from the end are found by
   * comparing with a checkpoint kept outside the service.
   */
  checkpoint: { seq: string; hash: string; matches: boolean; problem: string | null } | null;
}

export interface Checkpoint {
  seq: bigint;
  hash: string;
}

const VERIFY_BATCH = 2_000;

export function createAuditService({ prisma }: { prisma: PrismaClient }) {
  async function list(query: AuditQuery) {
    const events = await prisma.auditEvent.findMany({
      where: {
        entityType: query.entityType,
        entityId: query.entityId,
        action: query.action,
        seq: query.after === undefined ? undefined : { gt: query.after },
      },
      orderBy: { seq: 'asc' },
      take: query.limit + 1,
    });
    const page = events.slice(0, query.limit);
    const nextCursor = events.length > query.limit ? page.at(-1)!.seq.toString() : null;
    return { items: page, nextCursor };
  }

  /** Verifies the whole chain, and that it still holds an auditor's checkpoint when one is given. */
  async function verifyChain(checkpoint?: Checkpoint): Promise<ChainVerification> {
    const chain = await walkChain();
    if (!checkpoint) return { ...chain, checkpoint: null };
    const event = await prisma.auditEvent.findUnique({ where: { seq: checkpoint.seq }, select: { hash: true } });
    const problem = !event
      ? `event ${checkpoint.seq} of the checkpoint is missing: the trail is shorter than when the checkpoint was taken`
      : event.hash !== checkpoint.hash
        ? `event ${checkpoint.seq} no longer has the checkpoint's hash`
        : null;
    return {
      ...chain,
      intact: chain.intact && problem === null,
      checkpoint: { seq: checkpoint.seq.toString(), hash: checkpoint.hash, matches: problem === null, problem },
    };
  }

  /** Recomputes every hash from the first event on, in batches. */
  async function walkChain(): Promise<Omit<ChainVerification, 'checkpoint'>> {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1n;
    let checked = 0;
    for (;;) {
      const batch = await prisma.auditEvent.findMany({
        where: { seq: { gte: expectedSeq } },
        orderBy: { seq: 'asc' },
        take: VERIFY_BATCH,
      });
      for (const event of batch) {
        const problem =
          event.seq !== expectedSeq
            ? `sequence jumps from ${expectedSeq - 1n} to ${event.seq}`
            : event.prevHash !== prevHash
              ? 'prev_hash does not match the hash of the event before it'
              : hashEvent({ ...event, before: event.before as Json, after: event.after as Json }) !== event.hash
                ? 'hash does not match the event content'
                : null;
        if (problem) {
          return { intact: false, eventsChecked: checked, lastSeq: (expectedSeq - 1n).toString(), lastHash: prevHash, firstBroken: { seq: event.seq.toString(), problem } };
        }
        prevHash = event.hash;
        expectedSeq++;
        checked++;
      }
      if (batch.length < VERIFY_BATCH) break;
    }
    return { intact: true, eventsChecked: checked, lastSeq: checked ? (expectedSeq - 1n).toString() : null, lastHash: prevHash, firstBroken: null };
  }

  return { list, verifyChain };
}

export type AuditService = ReturnType<typeof createAuditService>;
