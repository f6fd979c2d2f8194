// The migrations this build ships (prisma/migrations), read from disk without loading the schema
// engine: a start whose database has applied them all never loads the engine (app.ts).
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const schemaPath = new URL('../../prisma/schema.prisma', import.meta.url);
export const migrationsDir = new URL('../../prisma/migrations/', import.meta.url);

export async function readSchema(): Promise<string> {
  return readFile(schemaPath, 'utf8');
}

/** The shipped history in the form the schema engine takes it. */
export async function loadMigrationList() {
  const baseDir = fileURLToPath(migrationsDir);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(new URL(`${name}/migration.sql`, migrationsDir), 'utf8')
          .then((sql) => ({ tag: 'ok' as const, value: sql }))
          .catch((e: Error) => ({ tag: 'error' as const, value: e.message })),
      },
    })),
  );
  const lockfileContent = await readFile(new URL('migration_lock.toml', migrationsDir), 'utf8').catch(() => null);
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: lockfileContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** Names of the shipped migrations, oldest first (only the directory names: nothing is read). */
export async function shippedMigrations(): Promise<string[]> {
  const entries = await readdir(fileURLToPath(migrationsDir), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}
