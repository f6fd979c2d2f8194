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
}

/** Ready when the database answers and has applied every migration this build ships. */
export async function readiness(database: Database, shipped: string[]): Promise<Readiness> {
  const pending = await unappliedMigrations(database.prisma, shipped).catch(() => null);
  return {
    status: pending?.length === 0 ? 'ready' : 'not_ready',
    engine: database.engine,
    durable: database.durable,
    ...(database.durable ? {} : { warning: EMBEDDED_DURABILITY_WARNING }),
    database: pending ? 'reachable' : 'unreachable',
    pendingMigrations: pending ?? [],
  };
}
