// One command, one transaction, its audit events inside it.
//
// Commands do not serialise against each other. Their audit events go to a queue in the same
// transaction (audit/audit-log.ts), which a sequencer integrates into the log later, so no
// command waits for another's events. The rules that read and then decide (eligibility,
// release, splits, DIN allocation, shipments, receipts, administration, recalls) stay race-free
// by the database itself: on PostgreSQL every command runs SERIALIZABLE, and a transaction that
// could have seen another's writes is rolled back and retried here from the start; PGlite runs
// one transaction at a time. Unique keys and conditional updates guard the invariants that
// matter most as well.
import type { PrismaClient, Prisma } from '../../generated/prisma/client.ts';
import type { Statements } from '../../db/statements.ts';
import { isTransactionConflict, isUniqueViolation } from '../../db/sql-state.ts';
import { createAuditAppender, enqueueEvent, type AuditEntry } from '../audit/audit-log.ts';
import type { RequestContext } from './context.ts';
import { DeadlineExceeded } from './deadline.ts';

export type Tx = Prisma.TransactionClient;

export interface Command {
  tx: Tx;
  ctx: RequestContext;
  /** The command's clock: one instant for every record and event it writes. */
  now: Date;
  audit(entry: AuditEntry): Promise<void>;
  /** Several events in order, in one insert (e.g. a recall's one event per unit). */
  auditMany(entries: AuditEntry[]): Promise<void>;
}

const MAX_ATTEMPTS = 10;
const TRANSACTION_LIMIT_MS = 60_000;

/** How long the transaction may wait to start and run: never past the request's deadline. */
function transactionOptions(ctx: RequestContext, serializable: boolean) {
  const limit = ctx.deadline ? Math.min(TRANSACTION_LIMIT_MS, ctx.deadline.remainingMs()) : TRANSACTION_LIMIT_MS;
  return { maxWait: limit, timeout: limit, ...(serializable ? { isolationLevel: 'Serializable' as const } : {}) };
}

/**
 * Whether to run the command again: after a serialization failure or deadlock always (up to
 * MAX_ATTEMPTS); after a unique violation at SERIALIZABLE a couple of times, since a key taken by
 * a transaction that committed meanwhile shows as one, and the next run sees that row and
 * decides again (a key that was taken all along answers 409 as before).
 */
function isRetryable(error: unknown, attempt: number, serializable: boolean): boolean {
  return isTransactionConflict(error) || (serializable && attempt < 3 && isUniqueViolation(error));
}

export type RunCommand = <T>(ctx: RequestContext, work: (command: Command) => Promise<T>) => Promise<T>;

/**
 * `serializable`: run every command at SERIALIZABLE isolation (PostgreSQL). PGlite has one
 * connection and runs transactions one after another, which is serial already.
 */
export function createCommandRunner(prisma: PrismaClient, { serializable }: { serializable: boolean }): RunCommand {
  return async function runCommand(ctx, work) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prisma.$transaction(async (tx) => {
          const now = new Date();
          const append = createAuditAppender(tx, ctx, now);
          const command: Command = { tx, ctx, now, audit: (entry) => append([entry]), auditMany: append };
          const result = await work(command);
          // Past the deadline the client has been told 503: roll back rather than commit.
          ctx.deadline?.beginCommit();
          return result;
        }, transactionOptions(ctx, serializable));
      } catch (error) {
        if (ctx.deadline?.expired) throw new DeadlineExceeded();
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error, attempt, serializable)) throw error;
        // Back off with jitter so that colliding transactions do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** Math.min(attempt, 6)));
      } finally {
        ctx.deadline?.endCommit();
      }
    }
  };
}

/** Reads that must be recorded (traces): the read event is one plain insert into the audit queue. */
export type RecordRead = (ctx: RequestContext, entry: AuditEntry) => Promise<void>;

export function createReadRecorder(statements: Statements): RecordRead {
  return (ctx, entry) => enqueueEvent(statements, ctx, entry);
}
