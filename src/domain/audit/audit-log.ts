// The audit trail: an append-only hash chain. Each event's hash covers its content and the
// hash of the event before it, so a changed, removed or reordered event breaks every hash after it.
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { canonicalJson, toJson, type Json } from '../shared/json.ts';
import type { Tx } from '../shared/transaction.ts';

export interface AuditEntry {
  /** What happened, as `entity.verb`: `donor.created`, `lot.released`, `unit.trace_read`. */
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** Why: required for corrections, withdrawals, rejections, recalls. */
  reason?: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

type HashedFields = Pick<
  AuditEvent,
  'seq' | 'occurredAt' | 'actorKeyId' | 'actorName' | 'actorRole' | 'action' | 'entityType' | 'entityId' | 'reason' | 'requestId' | 'prevHash'
> & { before: Json; after: Json };

export function hashEvent(event: HashedFields): string {
  const content = canonicalJson({
    seq: event.seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    actorKeyId: event.actorKeyId,
    actorName: event.actorName,
    actorRole: event.actorRole,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before,
    after: event.after,
    reason: event.reason,
    requestId: event.requestId,
    prevHash: event.prevHash,
  });
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Appends events for one command. Must be created inside the command's transaction, which
 * holds the write lock: the chain's tail is read once, then kept here as events are added.
 */
export function createAuditAppender(tx: Tx, ctx: RequestContext, now: Date) {
  function link(entry: AuditEntry, prev: { seq: bigint; hash: string }) {
    const fields: HashedFields = {
      seq: prev.seq + 1n,
      occurredAt: now,
      actorKeyId: ctx.actor.keyId,
      actorName: ctx.actor.name,
      actorRole: ctx.actor.role,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: toJson(entry.before),
      after: toJson(entry.after),
      reason: entry.reason ?? null,
      requestId: ctx.requestId,
      prevHash: prev.hash,
    };
    return { ...fields, before: fields.before ?? undefined, after: fields.after ?? undefined, hash: hashEvent(fields) };
  }

  let tail: { seq: bigint; hash: string } | undefined;
  // Appends run one after another even if a command fires several at once, so that each
  // event links to the one before it.
  let queue: Promise<void> = Promise.resolve();

  async function appendNow(entries: AuditEntry[]): Promise<void> {
    tail ??= (await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } })) ?? { seq: 0n, hash: GENESIS_HASH };
    let prev = tail;
    const rows = entries.map((entry) => {
      const row = link(entry, prev);
      prev = { seq: row.seq, hash: row.hash };
      return row;
    });
    await tx.auditEvent.createMany({ data: rows });
    tail = prev;
  }

  /** Appends the entries in order, in one insert. */
  function append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return queue;
    const done = queue.then(() => appendNow(entries));
    queue = done.catch(() => {});
    return done;
  }

  return append;
}
