// The sequencer: turns queued events of finished transactions into log entries, in batches.
//
// Order and completeness. Each queued event carries its transaction's id (xid8). A batch takes
// only events whose xid is below the xmin of the current snapshot (pg_snapshot_xmin): every
// transaction below it has finished, so no event below it can still appear, and events are
// integrated in (xid, id) order. An event of a transaction still in flight waits; it is never
// skipped over, and since a batch moves its events from the queue to the log in one
// transaction, never integrated twice.
//
// One sequencer per database. Integration holds a transaction-level advisory lock, so two
// integrations never interleave whoever runs them; on PostgreSQL the instance holding the
// leader lock (a session advisory lock on a connection of its own) integrates continually, and
// when it dies its session ends, the lock is free, and another instance takes over. Any
// instance may still integrate on demand (catchUp) before answering an auditor.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { eventLeafHash, type LoggedContent } from './audit-log.ts';
import { treeEdge } from './log-store.ts';
import type { NodeId } from './merkle-tree.ts';
import { isStoredLevel } from './node-tiles.ts';
import { signHead, type SigningKey } from './signing.ts';
import { ADVISORY_LOCKS } from '../shared/advisory-locks.ts';

/** A connection of its own, for the leader's session lock (PostgreSQL). */
export interface SessionConnection {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface SequencerOptions {
  prisma: PrismaClient;
  key: SigningKey;
  /** How often the leader looks for events to integrate. */
  intervalMs: number;
  batchSize?: number;
  /** Opens a leader connection (PostgreSQL); absent, this process is the only sequencer (PGlite). */
  connect?: () => Promise<SessionConnection>;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** A queued event: the content of a log entry, without its sequence number yet. */
type QueuedRow = Omit<LoggedContent, 'seq'> & { id: bigint };

const DEFAULT_BATCH = 2_000;

/** The log holds fewer events than a head signed: integration stops until someone looks. */
export class LogCut extends Error {
  constructor(size: bigint, signed: bigint) {
    super(`the audit log holds ${size} events but a head was signed at ${signed}: events were removed behind the database's back; integration is stopped`);
  }
}
const CATCH_UP_LIMIT_MS = 5_000;

export function createSequencer(options: SequencerOptions) {
  const { prisma, key } = options;
  let log = options.log;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;

  /** Integrates one batch; returns how many events became log entries. */
  async function integrateBatch(): Promise<number> {
    return prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.auditIntegration})`;
        const rows = await tx.$queryRaw<QueuedRow[]>`
          SELECT id, occurred_at AS "occurredAt", actor_key_id::text AS "actorKeyId", actor_name AS "actorName",
                 actor_role AS "actorRole", action, entity_type AS "entityType", entity_id AS "entityId",
                 before, after, reason, request_id AS "requestId"
          FROM audit_queue
          WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY xid, id
          LIMIT ${batchSize}`;
        if (rows.length === 0) return 0;
        const { size, signed } = (
          await tx.$queryRaw<{ size: bigint; signed: bigint }[]>`
            SELECT (SELECT coalesce(max(seq), 0) FROM audit_event)::bigint AS size, (SELECT coalesce(max(tree_size), 0) FROM audit_head)::bigint AS signed`
        )[0]!;
        // Never sign a second head of a size already signed: a log shorter than its latest head
        // was cut behind the database's back, and stays as it is for the auditors to see.
        if (signed > size) throw new LogCut(size, signed);
        const tree = await treeEdge(tx, Number(size));
        const ids: string[] = [];
        const seqs: string[] = [];
        const leaves: string[] = [];
        const nodes: { level: number; index: string; hash: string }[] = [];
        const keep = (node: NodeId, hash: Buffer) => {
          if (isStoredLevel(node.level)) nodes.push({ level: node.level, index: String(node.index), hash: hash.toString('hex') });
        };
        rows.forEach((row, i) => {
          const seq = size + BigInt(i) + 1n;
          const content: LoggedContent = { ...row, seq };
          const leaf = eventLeafHash(content);
          tree.append(leaf, keep);
          ids.push(String(row.id));
          seqs.push(String(seq));
          leaves.push(leaf.toString('hex'));
        });
        // The content moves inside the database, byte for byte, from the queue to the log.
        await tx.$executeRaw`
          INSERT INTO audit_event (seq, occurred_at, actor_key_id, actor_name, actor_role, action, entity_type, entity_id,
                                   before, after, reason, request_id, leaf_hash, integrated_at)
          SELECT m.seq, q.occurred_at, q.actor_key_id, q.actor_name, q.actor_role, q.action, q.entity_type, q.entity_id,
                 q.before, q.after, q.reason, q.request_id, decode(m.leaf, 'hex'), now()
          FROM unnest(${ids}::bigint[], ${seqs}::bigint[], ${leaves}::text[]) AS m(id, seq, leaf)
          JOIN audit_queue q ON q.id = m.id`;
        if (nodes.length) {
          await tx.$executeRaw`
            INSERT INTO audit_node (level, index, hash)
            SELECT l, i, decode(h, 'hex')
            FROM unnest(${nodes.map((n) => n.level)}::int[], ${nodes.map((n) => n.index)}::bigint[], ${nodes.map((n) => n.hash)}::text[]) AS n(l, i, h)`;
        }
        await tx.$executeRaw`DELETE FROM audit_queue WHERE id = ANY(${ids}::bigint[])`;
        const head = { treeSize: BigInt(tree.size), rootHash: tree.root(), timestamp: new Date() };
        await tx.auditHead.create({
          data: { treeSize: head.treeSize, rootHash: new Uint8Array(head.rootHash), timestamp: head.timestamp, keyId: key.keyId, note: signHead(key, head) },
        });
        return rows.length;
      },
      { timeout: 60_000, maxWait: 60_000 },
    );
  }

  /** Integrates batches until none is left that may be integrated now. */
  async function integrateAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await integrateBatch();
      total += n;
      if (n < batchSize) return total;
    }
  }

  let lastError: string | null = null;

  /**
   * Integrates every event committed before this call (waiting, up to a few seconds, for
   * transactions that were still open then): an auditor reading the trail sees their own and
   * everyone's finished writes. It never fails the read that asked: if integration fails, the
   * read answers with the log as it is, and the failure is logged and shown by GET /ready.
   */
  async function catchUp(): Promise<void> {
    try {
      await integrateCommitted();
      lastError = null;
    } catch (error) {
      lastError = (error as Error).message;
      log?.warn({ err: error }, 'audit integration failed');
    }
  }

  async function integrateCommitted(): Promise<void> {
    // One query when nothing committed waits (the usual case for a read).
    const [first] = await prisma.$queryRaw<{ horizon: string; waiting: boolean }[]>`
      SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS horizon,
             EXISTS (SELECT 1 FROM audit_queue WHERE xid < pg_snapshot_xmax(pg_current_snapshot())) AS waiting`;
    if (!first!.waiting) return;
    const until = Date.now() + CATCH_UP_LIMIT_MS;
    for (;;) {
      await integrateAll();
      const waiting = (await prisma.$queryRaw<{ waiting: boolean }[]>`
        SELECT EXISTS (SELECT 1 FROM audit_queue WHERE xid < ${first!.horizon}::xid8) AS waiting`)[0]!.waiting;
      if (!waiting || Date.now() > until) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let session: SessionConnection | undefined;
  let leader = !options.connect;

  async function becomeLeader(): Promise<boolean> {
    if (leader) return true;
    try {
      if (!session) {
        const connection = await options.connect!();
        if (stopped) {
          await connection.end().catch(() => {});
          return false;
        }
        connection.on('error', (error) => {
          log?.warn({ err: error }, 'audit sequencer lost its leader connection');
          leader = false;
          if (session === connection) session = undefined;
        });
        session = connection;
      }
      const { rows } = await session.query(`SELECT pg_try_advisory_lock(${ADVISORY_LOCKS.auditLeader}) AS locked`);
      leader = rows[0]?.locked === true;
      if (leader) log?.info({}, 'this instance is the audit sequencer');
    } catch (error) {
      log?.warn({ err: error }, 'audit sequencer could not check leadership');
      leader = false;
      await session?.end().catch(() => {});
      session = undefined;
    }
    return leader;
  }

  async function tick(): Promise<void> {
    try {
      if (await becomeLeader()) {
        await integrateAll();
        lastError = null;
      }
    } catch (error) {
      lastError = (error as Error).message;
      if (!stopped) log?.warn({ err: error }, 'audit integration failed; retrying');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, options.intervalMs);
    timer.unref();
  }

  return {
    integrateBatch,
    integrateAll,
    catchUp,
    isLeader: () => leader,
    /** Where warnings go, once the app's logger exists. */
    useLog(logger: NonNullable<SequencerOptions['log']>) {
      log = logger;
    },
    /** Why the last integration failed, or null. */
    lastError: () => lastError,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
      // Whatever was committed before the stop is integrated now, not left for the next start.
      if (leader) await integrateAll().catch(() => {});
      await session?.end().catch(() => {});
      session = undefined;
      leader = !options.connect;
    },
  };
}

export type Sequencer = ReturnType<typeof createSequencer>;
