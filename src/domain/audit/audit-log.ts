// Writing to the audit trail. A command's events go to audit_queue in the command's own
// transaction, in the order it appends them; no lock is shared with other commands. The
// sequencer (sequencer.ts) later makes them log entries with consecutive sequence numbers.
import { createHash } from 'node:crypto';
import { raw, sql, type Sql } from '../../db/sql.ts';
import type { Statements } from '../../db/statements.ts';
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

/** An event's content as the log holds it: what its leaf hash covers. */
export interface LoggedContent {
  seq: bigint;
  occurredAt: Date;
  actorKeyId: string | null;
  actorName: string;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
}

/**
 * The canonical bytes of a log entry: UTF-8 of its fields as canonical JSON (sorted keys, the
 * sequence number as a decimal string, the instant in ISO 8601 with milliseconds). The entry's
 * leaf hash is SHA-256(0x00 || these bytes). scripts/verify-log.mjs computes the same bytes
 * from GET /audit-events, so an auditor can recompute every leaf outside the service.
 */
export function canonicalEventBytes(event: LoggedContent): Buffer {
  return Buffer.from(canonicalJson(eventFields(event)), 'utf8');
}

/** The fields a log entry's hash covers, as JSON (the old hash chain covered them too, and its link). */
export function eventFields(event: LoggedContent): Record<string, Json> {
  return {
    seq: event.seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    actorKeyId: event.actorKeyId,
    actorName: event.actorName,
    actorRole: event.actorRole,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: toJson(event.before),
    after: toJson(event.after),
    reason: event.reason,
    requestId: event.requestId,
  };
}

/** SHA-256(0x00 || canonical bytes): the entry's leaf in the Merkle tree (RFC 9162 §2.1.1). */
export const eventLeafHash = (event: LoggedContent): Buffer =>
  createHash('sha256').update(Buffer.from([0])).update(canonicalEventBytes(event)).digest();

function queueRows(ctx: RequestContext, now: Date, entries: AuditEntry[]) {
  return entries.map((entry) => ({
    occurredAt: now,
    actorKeyId: ctx.actor.keyId,
    actorName: ctx.actor.name,
    actorRole: ctx.actor.role,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: toJson(entry.before) ?? undefined,
    after: toJson(entry.after) ?? undefined,
    reason: entry.reason ?? null,
    requestId: ctx.requestId,
  }));
}

/**
 * Appends events for one command, inside its transaction. Appends run one after another even
 * if a command fires several at once, so the queue keeps the order they were appended in.
 */
export function createAuditAppender(tx: Tx, ctx: RequestContext, now: Date) {
  let queue: Promise<void> = Promise.resolve();

  /** Appends the entries in order, in one insert. */
  function append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return queue;
    const done = queue.then(async () => {
      await tx.auditQueue.createMany({ data: queueRows(ctx, now, entries) });
    });
    queue = done.catch(() => {});
    return done;
  }

  return append;
}

/**
 * Who wrote a queued event, when and in which request: the queue's columns a statement written
 * here fills for every event, before the event's own (action, entity_type, entity_id, …).
 */
const QUEUED_BY = raw('occurred_at, actor_key_id, actor_name, actor_role, request_id');
const queuedBy = (ctx: RequestContext, now: Date): Sql => sql`${now}::timestamptz, ${ctx.actor.keyId}::uuid, ${ctx.actor.name}, ${ctx.actor.role}, ${ctx.requestId}`;

/**
 * A read and its read event in one statement. `answer` is a query of at most one row with the
 * columns doc (the answer, JSON), visible (whether the actor may see it), entity_id and after
 * (the event's). The event is queued in the statement's own transaction, and only for an answer
 * that was found and may be shown: an answer is given exactly when its reading is recorded.
 * db/sql.ts readRecorded runs it.
 */
export const recordedReadSql = (answer: Sql, ctx: RequestContext, event: { action: string; entityType: string }): Sql => sql`
  WITH answer AS (${answer}),
  recorded AS (
    INSERT INTO audit_queue (${QUEUED_BY}, action, entity_type, entity_id, "after")
    SELECT ${queuedBy(ctx, new Date())}, ${event.action}, ${event.entityType}, a.entity_id, a.after
    FROM answer a WHERE a.visible)
  SELECT a.doc::text, a.visible FROM answer a`;

/** JSON for a jsonb column: SQL NULL for nothing. */
const jsonText = (value: unknown) => {
  const json = toJson(value);
  return json === null ? null : JSON.stringify(json);
};

/**
 * A read that must be recorded and is not a trace (an investigation, an export): one plain insert
 * into the queue, in its own statement, kept prepared (a read is answered only once its event is
 * stored).
 */
export async function enqueueEvent(statements: Statements, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  const query = sql`
    INSERT INTO audit_queue (${QUEUED_BY}, action, entity_type, entity_id, "before", "after", reason)
    VALUES (${queuedBy(ctx, new Date())}, ${entry.action}, ${entry.entityType}, ${entry.entityId},
            ${jsonText(entry.before)}::jsonb, ${jsonText(entry.after)}::jsonb, ${entry.reason ?? null})`;
  await statements.rows(query, 'audit_read_event');
}
