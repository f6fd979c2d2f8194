import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { applyMigrations, diffHistoryToSchema, loadMigrationList, pendingMigrations } from '../src/db/migrations.ts';
import { engines, scratchDatabase, type ScratchDatabase } from './support/engines.ts';

describe('the migration history', () => {
  it('produces exactly the schema in schema.prisma (no drift)', async () => {
    expect(await diffHistoryToSchema()).toBe('');
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
      for (const row of rows) {
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).not.toBeNull();
      }
    } finally {
      await db.close();
    }
  });
});
