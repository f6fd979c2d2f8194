// Is the database reachable, and has it applied every migration this build ships?
import type { PrismaClient } from '../generated/prisma/client.ts';
import { EMBEDDED_DURABILITY_WARNING, type Database } from './database.ts';
export { shippedMigrations } from './migration-list.ts';

/** The shipped migrations the database has not applied, in one query (throws when it has no history table). */
export async function unappliedMigrations(prisma: PrismaClient, shipped: string[]): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  const applied = new Set(rows.map((r) => r.migration_name));
  return shipped.filter((name) => !applied.has(name));
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  engine: Database['engine'];
  durable: boolean;
  warning?: string;
  database: 'reachable' | 'unreachable';
  pendingMigrations: string[];
  auditLog?: AuditLogState;
}

export interface AuditLogState {
  /** Events committed but not yet in the log. */
  queued: number;
  /** Seconds the oldest of them has waited (0 when none waits): the log's lag. */
  lagSeconds: number;
  /** Events in the log, and the age of its latest signed head in seconds. */
  treeSize: string;
  lastHeadAgeSeconds: number | null;
  /** Whether this instance is the one integrating events (the others take over if it stops). */
  sequencerLeader: boolean;
  /** Why the last integration failed (e.g. the log was cut behind the database's back), or null. */
  integrationError: string | null;
}

async function auditLogState(prisma: PrismaClient, sequencer: SequencerState): Promise<AuditLogState> {
  const [row] = await prisma.$queryRaw<{ queued: bigint; lag: number | null; size: bigint | null; head_age: number | null }[]>`
    SELECT (SELECT count(*) FROM audit_queue) AS queued,
           (SELECT extract(epoch FROM clock_timestamp() - min(enqueued_at))::float8 FROM audit_queue) AS lag,
           (SELECT max(tree_size) FROM audit_head) AS size,
           (SELECT extract(epoch FROM clock_timestamp() - max(timestamp))::float8 FROM audit_head) AS head_age`;
  return {
    queued: Number(row!.queued),
    lagSeconds: Math.max(0, Number(row!.lag ?? 0)),
    treeSize: String(row!.size ?? 0),
    lastHeadAgeSeconds: row!.head_age === null ? null : Math.max(0, Number(row!.head_age)),
    sequencerLeader: sequencer.isLeader(),
    integrationError: sequencer.lastError(),
  };
}

/** Ready when the database answers and has applied every migration this build ships. */
export interface SequencerState {
  isLeader(): boolean;
  lastError(): string | null;
}

export async function readiness(database: Database, shipped: string[], sequencer?: SequencerState): Promise<Readiness> {
  const pending = await unappliedMigrations(database.prisma, shipped).catch(() => null);
  const auditLog = pending?.length === 0 && sequencer ? await auditLogState(database.prisma, sequencer).catch(() => undefined) : undefined;
  return {
    status: pending?.length === 0 ? 'ready' : 'not_ready',
    engine: database.engine,
    durable: database.durable,
    ...(database.durable ? {} : { warning: EMBEDDED_DURABILITY_WARNING }),
    database: pending ? 'reachable' : 'unreachable',
    pendingMigrations: pending ?? [],
    ...(auditLog ? { auditLog } : {}),
  };
}
