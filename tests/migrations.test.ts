import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.ts';
import { applyMigrations, diffHistoryToSchema, loadMigrationList, pendingMigrations } from '../src/db/migrations.ts';
import { engines, scratchDatabase, type ScratchDatabase } from './support/engines.ts';

describe('the migration history', () => {
  it('produces exactly the schema in schema.prisma (no drift)', async () => {
    expect(await diffHistoryToSchema()).toBe('');
  });
});

/** Tables, columns, indexes and triggers as the database itself reports them. */
async function catalogue(prisma: Database['prisma']) {
  const columns = await prisma.$queryRaw<object[]>`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length, numeric_precision, numeric_scale
    FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`;
  const indexes = await prisma.$queryRaw<object[]>`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`;
  const triggers = await prisma.$queryRaw<object[]>`
    SELECT tgname, tgrelid::regclass::text AS relation FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`;
  return { columns, indexes, triggers };
}

describe.runIf(engines.includes('postgresql'))('migrations on a PostgreSQL server shared by several instances', () => {
  it('lets two instances migrate at once: one applies the history, the other waits for it and applies nothing', async () => {
    const scratch = await scratchDatabase('postgresql');
    const [a, b] = [await openDatabase(scratch.target), await openDatabase(scratch.target)];
    try {
      const results = await Promise.all([applyMigrations(a.migrationAdapter), applyMigrations(b.migrationAdapter)]);
      const shipped = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
      expect(results.map((r) => r.length).sort()).toEqual([0, shipped.length]);
      // The migration lock was released with the engine's connections: nobody holds it now.
      const held = await a.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      expect(held[0]!.n).toBe(0);
    } finally {
      await a.close();
      await b.close();
      await scratch.drop();
    }
  });
});

describe.each(engines)('migrations on %s', (engine) => {
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    for (const s of scratches) await s.drop();
  });

  it('applies the whole history to an empty database, then has nothing left to apply', async () => {
    const scratch = await scratchDatabase(engine);
    scratches.push(scratch);
    const db = await openDatabase(scratch.target);
    try {
      const shipped = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
      expect(await pendingMigrations(db.migrationAdapter)).toEqual(shipped);
      expect(await applyMigrations(db.migrationAdapter)).toEqual(shipped);
      expect(await applyMigrations(db.migrationAdapter)).toEqual([]);
      expect(await pendingMigrations(db.migrationAdapter)).toEqual([]);
      const rows = await db.prisma.$queryRaw<{ migration_name: string; checksum: string; finished_at: Date | null }[]>`
        SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.map((r) => r.migration_name)).toEqual(shipped);
      if (engine === 'postgresql') {
        // The same history gives the PostgreSQL server exactly what it gives PGlite, whose
        // result the drift test above compares with schema.prisma.
        const reference = await scratchDatabase('pglite');
        scratches.push(reference);
        const embedded = await openDatabase(reference.target);
        try {
          await applyMigrations(embedded.migrationAdapter);
          const server = await catalogue(db.prisma);
          expect(server.columns.length).toBeGreaterThan(150);
          // audit_event, audit_node, audit_head and audit_chain_legacy refuse UPDATE/DELETE and TRUNCATE.
          expect(server.triggers).toHaveLength(8);
          expect(server).toEqual(await catalogue(embedded.prisma));
        } finally {
          await embedded.close();
        }
      }
      for (const row of rows) {
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).not.toBeNull();
      }
    } finally {
      await db.close();
    }
  });
});
