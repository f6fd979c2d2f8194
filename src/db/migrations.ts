// Applies and authors migrations with the WASM schema engine. The `_prisma_migrations` table
// is written exactly as `prisma migrate deploy` writes it, so either tool can continue the history.
import { mkdir, writeFile } from 'node:fs/promises';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from './schema-engine.ts';
import { openSchemaEngine } from './schema-engine.ts';
import { loadMigrationList, migrationsDir, readSchema } from './migration-list.ts';

export { loadMigrationList };

const noFilter = { externalTables: [], externalEnums: [] };

/**
 * Runs work on a schema engine, then closes every connection the engine opened. The engine
 * holds Prisma's migration advisory lock (pg_advisory_lock(72707369)) on its connection until
 * that connection ends; left open, it would make every other instance's migration time out.
 */
async function withEngine<T>(adapterFactory: SqlMigrationAwareDriverAdapterFactory, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = await connecting;
    opened.push(adapter);
    return adapter;
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: () => track(adapterFactory.connect()),
    connectToShadowDb: () => track(adapterFactory.connectToShadowDb()),
  };
  let engine: SchemaEngine | undefined;
  try {
    engine = await openSchemaEngine(tracked);
    return await work(engine);
  } finally {
    await Promise.all(opened.map((adapter) => adapter.dispose()));
    // The engine's memory inside the WASM instance, at once rather than at some later GC.
    engine?.free();
  }
}

/** Applies every pending migration; returns the names of those applied now. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrationsList = await loadMigrationList();
  return withEngine(adapterFactory, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return appliedMigrationNames;
  });
}

/** Names of migrations in prisma/migrations that the database has not applied yet. */
export async function pendingMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrationsList = await loadMigrationList();
  const result = await withEngine(adapterFactory, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: noFilter }),
  );
  const history = result.history;
  if (!history) return [];
  if (history.diagnostic === 'databaseIsBehind' || history.diagnostic === 'historiesDiverge') {
    return history.unappliedMigrationNames;
  }
  return [];
}

/** The SQL that would take the database to the schema in schema.prisma: empty when they agree. */
export async function diffDatabaseToSchema(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const files = [{ path: 'schema.prisma', content: await readSchema() }];
  const { stdout } = await withEngine(adapterFactory, (engine) =>
    engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: '.' },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilter,
    }),
  );
  return stripEmptyScript(stdout ?? '');
}

/**
 * The SQL that would take a database built from the whole migration history to the schema
 * in schema.prisma: empty when history and schema agree. Uses a throw-away in-memory PGlite.
 */
export async function diffHistoryToSchema(): Promise<string> {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  const scratch = new PGlite();
  try {
    const factory = new PrismaPGlite(scratch);
    await applyMigrations(factory);
    return await diffDatabaseToSchema(factory);
  } finally {
    await scratch.close();
  }
}

function stripEmptyScript(sql: string): string {
  return sql.includes('This is an empty migration') ? '' : sql.trim();
}

/** Writes prisma/migrations/<timestamp>_<name>/migration.sql from the schema; null when nothing changed. */
export async function createMigration(name: string, now = new Date()): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('migration name must be snake_case: lower-case letters, digits and _');
  const sql = await diffHistoryToSchema();
  if (!sql) return null;
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  const dirName = `${stamp}_${name}`;
  await mkdir(new URL(`${dirName}/`, migrationsDir), { recursive: true });
  await writeFile(new URL(`${dirName}/migration.sql`, migrationsDir), `${sql}\n`);
  await writeFile(
    new URL('migration_lock.toml', migrationsDir),
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
  );
  return dirName;
}
