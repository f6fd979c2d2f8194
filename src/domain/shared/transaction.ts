// One command, one transaction, its audit events inside it.
//
// Every write transaction first takes one advisory lock. The audit trail is a hash chain, a
// total order: each event needs the hash of the one before it, so appends must not interleave.
// Holding the lock from the first statement also serialises the read-then-decide steps of the
// rules (eligibility, release, splits, shipments) on PostgreSQL, as PGlite does by itself;
// the invariants that matter most are enforced by the database as well (unique keys and
// conditional updates).
import type { PrismaClient, Prisma } from '../../generated/prisma/client.ts';
import { createAuditAppender, type AuditEntry } from '../audit/audit-log.ts';
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

const WRITE_LOCK_KEY = 7_340_155_001n;
const MAX_ATTEMPTS = 5;
const TRANSACTION_LIMIT_MS = 60_000;

/** How long the transaction may wait to start and run: never past the request's deadline. */
function transactionOptions(ctx: RequestContext) {
  const limit = ctx.deadline ? Math.min(TRANSACTION_LIMIT_MS, ctx.deadline.remainingMs()) : TRANSACTION_LIMIT_MS;
  return { maxWait: limit, timeout: limit };
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'P2034' || /40001|40P01|could not serialize|deadlock detected/.test(String((error as Error)?.message));
}

export type RunCommand = <T>(ctx: RequestContext, work: (command: Command) => Promise<T>) => Promise<T>;

export function createCommandRunner(prisma: PrismaClient): RunCommand {
  return async function runCommand(ctx, work) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prisma.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`;
          const now = new Date();
          const append = createAuditAppender(tx, ctx, now);
          const command: Command = { tx, ctx, now, audit: (entry) => append([entry]), auditMany: append };
          const result = await work(command);
          // Past the deadline the client has been told 503: roll back rather than commit.
          ctx.deadline?.beginCommit();
          return result;
        }, transactionOptions(ctx));
      } catch (error) {
        if (ctx.deadline?.expired) throw new DeadlineExceeded();
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
        // Back off with jitter so that colliding transactions do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      } finally {
        ctx.deadline?.endCommit();
      }
    }
  };
}

/** Reads that must be recorded (traces): the read event is written in its own short transaction. */
export type RecordRead = (ctx: RequestContext, entry: AuditEntry) => Promise<void>;

export function createReadRecorder(runCommand: RunCommand): RecordRead {
  return (ctx, entry) => runCommand(ctx, ({ audit }) => audit(entry));
}
